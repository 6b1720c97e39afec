package numfmt

import "testing"

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 90000: "90,000", 123456: "123,456",
		2000000: "2,000,000", -1: "-1", -1234: "-1,234", -123456: "-123,456",
		9223372036854775807: "9,223,372,036,854,775,807",
	} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %s, want %s", n, got, want)
		}
	}
}
