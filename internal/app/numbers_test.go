package app

import "fmt"

// benchNumber is the i-th synthetic US number (as bench.Number, which this package's tests
// cannot import): area and exchange codes 200-999, so every one is a valid NANP number and
// the first 6.4 billion are distinct.
func benchNumber(i int) string {
	area, exch, line := 200+i%800, 200+(i/800)%800, (i/640000)%10000
	return fmt.Sprintf("+1%03d%03d%04d", area, exch, line)
}
