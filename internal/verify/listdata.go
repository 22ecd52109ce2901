package verify

import (
	_ "embed"
	"strings"
	"sync"
)

// The embedded lists. disposable*.txt and free.txt come from npm packages
// through scripts/refresh-verify-lists; roles.txt, providers.txt and
// lookalikes.txt are curated here.
var (
	//go:embed data/disposable.txt
	disposableData string
	//go:embed data/disposable-wildcard.txt
	disposableWildcardData string
	//go:embed data/free.txt
	freeData string
	//go:embed data/roles.txt
	rolesData string
	//go:embed data/providers.txt
	providersData string
	//go:embed data/lookalikes.txt
	lookalikesData string
)

// lines returns the entries of an embedded list: one a line, "#" comments
// and blank lines skipped. The strings share the embedded data's memory.
func lines(data string) []string {
	out := make([]string, 0, strings.Count(data, "\n"))
	for line := range strings.Lines(data) {
		line = strings.TrimSpace(line)
		if line != "" && line[0] != '#' {
			out = append(out, line)
		}
	}
	return out
}

func setOf(entries []string) map[string]struct{} {
	m := make(map[string]struct{}, len(entries))
	for _, e := range entries {
		m[e] = struct{}{}
	}
	return m
}

// defaultLists parses the embedded lists once, on first use: about 20 ms
// and 15 MB, which a program that never verifies never pays.
var defaultLists = sync.OnceValue(func() *Lists {
	providers := lines(providersData)
	known := setOf(providers)
	for _, d := range lines(lookalikesData) {
		known[d] = struct{}{}
	}
	return &Lists{
		disposable: domainSet{base: setOf(lines(disposableData))},
		wildcard:   domainSet{base: setOf(lines(disposableWildcardData))},
		free:       domainSet{base: setOf(lines(freeData))},
		roles:      domainSet{base: setOf(lines(rolesData))},
		known:      domainSet{base: known},
		typos:      newTypoIndex(providers),
	}
})
