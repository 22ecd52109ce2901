package suppress

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics returns a Prometheus collector of this process's screening indexes.
func (s *Service) Metrics() prometheus.Collector { return indexMetrics{s} }

// indexMetrics reports the screening indexes of this process to Prometheus.
type indexMetrics struct{ s *Service }

var (
	identifiersDesc = prometheus.NewDesc("clearlist_suppression_identifiers",
		"Distinct identifiers in this process's do-not-contact index, by workspace (0: instance-wide).", []string{"workspace_id"}, nil)
	changeSeqDesc = prometheus.NewDesc("clearlist_suppression_change_seq",
		"The change number this process's index has caught up to, by workspace; compare across servers.", []string{"workspace_id"}, nil)
)

func (m indexMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- identifiersDesc
	ch <- changeSeqDesc
}

func (m indexMetrics) Collect(ch chan<- prometheus.Metric) {
	m.s.scr.mu.Lock()
	lists := make(map[int64]*screenList, len(m.s.scr.lists))
	for ws, l := range m.s.scr.lists {
		lists[ws] = l
	}
	m.s.scr.mu.Unlock()
	for ws, l := range lists {
		if !l.sync.TryLock() { // loading or catching up: report next time
			continue
		}
		if l.index != nil {
			id := strconv.FormatInt(ws, 10)
			ch <- prometheus.MustNewConstMetric(identifiersDesc, prometheus.GaugeValue, float64(l.index.Len()), id)
			ch <- prometheus.MustNewConstMetric(changeSeqDesc, prometheus.GaugeValue, float64(l.seq), id)
		}
		l.sync.Unlock()
	}
}
