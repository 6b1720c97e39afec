package pgurl

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres://alice:s3cret@db.example:5432/batchctl?sslmode=require", "postgres://alice:xxxxx@db.example:5432/batchctl?sslmode=require"},
		{"postgresql://alice:p%40ss%2Fword@db/batchctl", "postgresql://alice:xxxxx@db/batchctl"},
		{"postgres://alice@db/batchctl", "postgres://alice@db/batchctl"},
		{"postgres:///batchctl?host=/run/postgresql", "postgres:///batchctl?host=/run/postgresql"},
		{"postgres://alice:s3cret@db:port/batchctl", "postgres://alice:xxxxx@db:port/batchctl"},
		{"host=db user=alice password=s3cret dbname=batchctl", "host=db user=alice password=xxxxx dbname=batchctl"},
		{"/home/alice/my registry.db", "/home/alice/my registry.db"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPasswords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"postgres://alice:s3cret@db/x", []string{"s3cret"}},
		{"postgres://alice:a%2Fb@db/x", []string{"a%2Fb", "a/b"}},
		{"postgres://alice:@db/x", nil},
		{"postgres://alice@db/x", nil},
		{"postgres://db/x", nil},
		{"user=alice password='s3cret'", []string{"s3cret"}},
	}
	for _, tt := range tests {
		got := Passwords(tt.in)
		if len(got) != len(tt.want) || (len(got) > 0 && (got[0] != tt.want[0] || got[len(got)-1] != tt.want[len(tt.want)-1])) {
			t.Errorf("Passwords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIs(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://db/x": true, "postgresql://db/x": true, "mysql://db/x": false,
		"/var/lib/batchctl.db": false, "postgres.db": false,
	} {
		if got := Is(in); got != want {
			t.Errorf("Is(%q) = %v, want %v", in, got, want)
		}
	}
}
