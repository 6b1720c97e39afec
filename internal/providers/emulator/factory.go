package emulator

import (
	"context"
	"fmt"

	"github.com/batchctl/batchctl/internal/config"
	emu "github.com/batchctl/batchctl/internal/emulator"
	"github.com/batchctl/batchctl/internal/jsonl"
	"github.com/batchctl/batchctl/internal/providers"
)

// Factory makes the embedded emulator of the emulator profile. It speaks
// the OpenAI wire protocol.
func Factory() providers.Factory {
	return providers.Factory{
		Type:   config.TypeEmulator,
		Target: jsonl.TargetOpenAI,
		Direct: true,
		Check:  check,
		New: func(ctx context.Context, prof *config.Profile, env providers.Env) (providers.Provider, error) {
			limits, err := emu.ParseLimits(env.Config.EmulatorLimits)
			if err != nil {
				return nil, fmt.Errorf("emulator_limits (BATCHCTL_EMULATOR_LIMITS): %w", err)
			}
			p, err := Start(ctx, Options{
				Name:     prof.Name,
				Dir:      env.Config.EmulatorDir(),
				Duration: env.Config.EmulatorDuration,
				Faults:   env.Config.EmulatorFaults,
				Limits:   limits,
				Client:   env.HTTP,
			})
			if err != nil {
				return nil, fmt.Errorf("starting the embedded emulator: %w", err)
			}
			return p, nil
		},
	}
}

// check finds faults and limits that do not parse and a negative
// duration.
func check(cfg *config.Config, _ *config.Profile) error {
	if _, err := emu.ParseFaults(cfg.EmulatorFaults); err != nil {
		return fmt.Errorf("emulator_faults (BATCHCTL_EMULATOR_FAULTS): %w", err)
	}
	if _, err := emu.ParseLimits(cfg.EmulatorLimits); err != nil {
		return fmt.Errorf("emulator_limits (BATCHCTL_EMULATOR_LIMITS): %w", err)
	}
	if cfg.EmulatorDuration < 0 {
		return fmt.Errorf("emulator_duration (BATCHCTL_EMULATOR_DURATION) must not be negative, got %s", cfg.EmulatorDuration)
	}
	return nil
}
