package jobs_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/batchctl/batchctl/internal/config"
	"github.com/batchctl/batchctl/internal/jobs"
	"github.com/batchctl/batchctl/internal/providers"
	"github.com/batchctl/batchctl/internal/store"
)

// TestJobReachedWhereCreated checks which profile a registered job's
// provider is built from: the target recorded at create laid over the
// job's profile in today's config, and what the user is told.
func TestJobReachedWhereCreated(t *testing.T) {
	recorded := store.Target{ProfileType: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8089/v1",
		AuthHeader: config.AuthBearer, APIKeyEnv: "OPENAI_API_KEY", CompletionWindow: "24h"}
	env := map[string]string{"OPENAI_API_KEY": "sk-env", "MY_KEY": "sk-mine"}
	tests := []struct {
		name    string
		current *config.Profile // the job's profile in today's config; nil: removed
		target  store.Target
		want    config.Profile // the fields checked: Type, BaseURL, AuthHeader, APIKeyEnv, APIKey
		notes   []string
	}{
		{
			name: "same place",
			current: &config.Profile{Type: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8089/v1/",
				AuthHeader: config.AuthBearer, APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
			target: recorded,
			want: config.Profile{Type: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8089/v1/", AuthHeader: config.AuthBearer,
				APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
		},
		{
			name: "same place, the current URL has userinfo: it is used",
			current: &config.Profile{Type: config.TypeOpenAI, BaseURL: "http://me:pw@127.0.0.1:8089/v1",
				AuthHeader: config.AuthBearer, APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
			target: recorded,
			want: config.Profile{Type: config.TypeOpenAI, BaseURL: "http://me:pw@127.0.0.1:8089/v1", AuthHeader: config.AuthBearer,
				APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
		},
		{
			name: "the environment points elsewhere now",
			current: &config.Profile{Type: config.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
				AuthHeader: config.AuthBearer, APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
			target: recorded,
			want: config.Profile{Type: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8089/v1", AuthHeader: config.AuthBearer,
				APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
			notes: []string{"OPENAI_BASE_URL now points at https://api.openai.com/v1; using http://127.0.0.1:8089/v1, where the job was created"},
		},
		{
			name:   "profile removed: the key comes from the recorded variable",
			target: store.Target{ProfileType: config.TypeAnthropic, BaseURL: "http://127.0.0.1:8089", APIKeyEnv: "MY_KEY"},
			want:   config.Profile{Type: config.TypeAnthropic, BaseURL: "http://127.0.0.1:8089", APIKeyEnv: "MY_KEY", APIKey: "sk-mine"},
		},
		{
			name: "the profile names another key variable now",
			current: &config.Profile{Type: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8089/v1",
				AuthHeader: config.AuthBearer, APIKeyEnv: "OTHER_KEY", APIKey: "sk-other"},
			target: recorded,
			want: config.Profile{Type: config.TypeOpenAI, BaseURL: "http://127.0.0.1:8089/v1", AuthHeader: config.AuthBearer,
				APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-env"},
		},
		{
			name: "recorded before targets were: today's profile",
			current: &config.Profile{Type: config.TypeOpenAI, BaseURL: "https://api.openai.com/v1",
				AuthHeader: config.AuthBearer, APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
			want: config.Profile{Type: config.TypeOpenAI, BaseURL: "https://api.openai.com/v1", AuthHeader: config.AuthBearer,
				APIKeyEnv: "OPENAI_API_KEY", APIKey: "sk-cur"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			delete(e.m.Config.Providers, "fake")
			if tt.current != nil {
				tt.current.Name, tt.current.BaseURLSource = "fake", "OPENAI_BASE_URL"
				e.m.Config.Providers["fake"] = tt.current
			}
			var built []config.Profile
			e.m.ProviderFor = func(p *config.Profile) (providers.Provider, error) {
				built = append(built, *p)
				return e.p, nil
			}
			e.m.Getenv = func(k string) string { return env[k] }
			var notes []string
			e.m.Note = func(msg string) { notes = append(notes, msg) }

			// two jobs at the same place, refreshed twice: one note
			e.p.batches["batch_1"] = &providers.Batch{ID: "batch_1", Status: providers.StatusInProgress}
			for _, id := range []string{"j1", "j2"} {
				sj := &store.Job{ID: id, Provider: "fake", Target: tt.target,
					Parts: []store.Part{{Index: 1, BatchID: "batch_1", Status: "in_progress"}}}
				if err := e.reg.CreateJob(context.Background(), sj); err != nil {
					t.Fatal(err)
				}
				j := &jobs.Job{Registered: true, Job: sj}
				for range 2 {
					if err := e.m.Refresh(context.Background(), j); err != nil {
						t.Fatal(err)
					}
				}
			}
			if len(built) != 4 {
				t.Fatalf("%d providers built, want 4", len(built))
			}
			got := built[0]
			got = config.Profile{Type: got.Type, BaseURL: got.BaseURL, AuthHeader: got.AuthHeader, APIKeyEnv: got.APIKeyEnv, APIKey: got.APIKey}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("provider built from\n%+v\nwant\n%+v", got, tt.want)
			}
			if !reflect.DeepEqual(notes, tt.notes) {
				t.Errorf("notes %q, want %q", notes, tt.notes)
			}
		})
	}
}
