package campaign

import (
	"slices"
	"strings"
	"testing"
)

// TestSplitSample: the sample is the share asked for (rounded up, at least one per
// variant), dealt out evenly, drawn from the audience, the same for the same campaign and
// audience in any order, and another for another campaign.
func TestSplitSample(t *testing.T) {
	ids := make([]int64, 1000)
	for i := range ids {
		ids[i] = int64(i*7 + 1)
	}
	c := Campaign{ID: 5, WorkspaceID: 2, AB: &ABTest{Variants: []Variant{{Subject: "b"}, {Subject: "c"}}, SamplePercent: 20}}
	got := splitSample(c, ids)
	n := 0
	for v := 1; v <= 3; v++ {
		if k := len(got[v]); k < 66 || k > 67 {
			t.Errorf("variant %d has %d, want 66 or 67", v, k)
		}
		n += len(got[v])
		for _, id := range got[v] {
			if !slices.Contains(ids, id) {
				t.Fatalf("contact %d is not in the audience", id)
			}
		}
	}
	if n != 200 {
		t.Fatalf("sample of %d, want 200", n)
	}
	rev := slices.Clone(ids)
	slices.Reverse(rev)
	again := splitSample(c, rev)
	for v := 1; v <= 3; v++ {
		if !slices.Equal(got[v], again[v]) {
			t.Fatalf("variant %d differs for the same audience in another order", v)
		}
	}
	c.ID = 6
	if other := splitSample(c, ids); slices.Equal(other[1], got[1]) {
		t.Error("another campaign drew the same sample")
	}
	tiny := splitSample(Campaign{ID: 1, AB: &ABTest{Variants: []Variant{{}, {}, {}}, SamplePercent: 1}}, ids[:10])
	if len(tiny) != 4 {
		t.Errorf("a 1%% sample of 10 with 4 variants: %v, want one each", tiny)
	}
}

// TestDecide: the metric's fractions are compared exactly; ties and nothing measured go
// to A with the reason.
func TestDecide(t *testing.T) {
	for _, tc := range []struct {
		m      Metric
		figs   []VariantFigures
		winner string
		reason string
	}{
		{MetricClicks, []VariantFigures{{Sent: 10, UniqueClicks: 1}, {Sent: 10, UniqueClicks: 2}}, "B", "highest"},
		{MetricClicks, []VariantFigures{{Sent: 3, UniqueClicks: 1}, {Sent: 6, UniqueClicks: 2}, {Sent: 9, UniqueClicks: 3}}, "A", "tie"},
		{MetricClicks, []VariantFigures{{Sent: 10}, {Sent: 10}}, "A", "no variant"},
		{MetricOpens, []VariantFigures{{Sent: 10, Opens: 4, UniqueClicks: 9}, {Sent: 11, Opens: 4}}, "A", "highest"},
		{MetricClickRate, []VariantFigures{{Delivered: 0, Clicks: 0}, {Delivered: 5, Clicks: 1}, {Delivered: 5, Clicks: 3}}, "C", "highest"},
		{MetricClickRate, []VariantFigures{{Delivered: 5, Clicks: 3}, {Delivered: 5, Clicks: 1}, {Delivered: 5, Clicks: 3}}, "A", "tie"},
	} {
		for i := range tc.figs {
			tc.figs[i].Variant = VariantName(i + 1)
		}
		d := decide(tc.m, tc.figs)
		if d.Winner != tc.winner || !strings.Contains(d.Reason, tc.reason) {
			t.Errorf("%s %+v: %s (%s), want %s (%s)", tc.m, tc.figs, d.Winner, d.Reason, tc.winner, tc.reason)
		}
	}
}

// BenchmarkSplitSample draws a 20% sample of 100,000 recipients among 4 variants.
func BenchmarkSplitSample(b *testing.B) {
	ids := make([]int64, 100_000)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	c := Campaign{ID: 5, WorkspaceID: 2, AB: &ABTest{Variants: []Variant{{}, {}, {}}, SamplePercent: 20}}
	b.ReportAllocs()
	for b.Loop() {
		splitSample(c, ids)
	}
}
