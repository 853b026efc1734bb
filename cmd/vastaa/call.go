package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/vastaa/vastaa/media"
	"github.com/vastaa/vastaa/media/sipua"
	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/pipeline/espeak"
	"github.com/vastaa/vastaa/pipeline/sphinx"
)

type callConfig struct {
	To         string
	From       string
	Transport  string
	Say        string
	WAV        string
	DTMF       string
	Lang       string
	Listen     time.Duration
	Out        string
	Transcribe bool
}

func callCmd(ctx context.Context, args []string) error {
	var cfg callConfig
	fs := newFlagSet("call", "A test caller built on Vastaa's own SIP and RTP code: dials, waits for the\ngreeting, says something (--say, synthesised with espeak-ng) or plays a WAV\n(--wav) and/or presses keys (--dtmf), then prints what the bot said back.")
	fs.StringVar(&cfg.To, "to", "sip:vastaa@127.0.0.1:5060", "SIP URI to call")
	fs.StringVar(&cfg.From, "from", "sip:+358401234567@127.0.0.1", "caller's SIP URI")
	fs.StringVar(&cfg.Transport, "transport", "udp", "udp or tcp")
	fs.StringVar(&cfg.Say, "say", "", "text to say after the greeting")
	fs.StringVar(&cfg.WAV, "wav", "", "WAV file to play after the greeting")
	fs.StringVar(&cfg.DTMF, "dtmf", "", "keys to press after the greeting (and after --say/--wav)")
	fs.StringVar(&cfg.Lang, "lang", "en", "language of --say (en, fi, sv, lv)")
	fs.DurationVar(&cfg.Listen, "listen", 15*time.Second, "how long to wait for the reply")
	fs.StringVar(&cfg.Out, "out", "", "write the whole call (stereo: caller left, bot right) to this WAV")
	fs.BoolVar(&cfg.Transcribe, "transcribe", true, "transcribe the bot's reply with pocketsphinx (English)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.Say == "" && cfg.WAV == "" && cfg.DTMF == "" {
		return errors.New("nothing to do: give --say, --wav or --dtmf")
	}
	var audio []int16
	switch {
	case cfg.WAV != "":
		f, err := os.Open(cfg.WAV)
		if err != nil {
			return err
		}
		pcm, rate, err := media.ReadWAV(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", cfg.WAV, err)
		}
		audio = media.Resample(pcm, rate, 8000)
	case cfg.Say != "":
		tts, err := espeak.New(espeak.Config{})
		if err != nil {
			return err
		}
		audio, err = lineSpeech(ctx, tts, cfg.Say, pipeline.Language(cfg.Lang))
		tts.Close()
		if err != nil {
			return err
		}
	}

	pacer := media.NewPacer(20 * time.Millisecond)
	pacer.Start(ctx)
	defer pacer.Stop()
	c, err := sipua.Dial(ctx, sipua.DialConfig{To: cfg.To, From: cfg.From, Transport: cfg.Transport, LocalIP: "127.0.0.1",
		Pacer: pacer, RecordPath: cfg.Out})
	if err != nil {
		return fmt.Errorf("dial %s: %w", cfg.To, err)
	}
	defer c.Hangup(context.Background(), "caller-done")
	fmt.Printf("connected: %s (%s)\n", cfg.To, c.Codec.Name)

	greeting := listenTurn(ctx, c, 10*time.Second)
	fmt.Printf("greeting: %.1f s of audio\n", seconds(greeting))
	if len(audio) > 0 {
		<-c.Media.Play(audio).Done()
	}
	for _, d := range cfg.DTMF {
		if err := c.Media.SendDTMF(d, 160*time.Millisecond); err != nil {
			return fmt.Errorf("dtmf %q: %w", d, err)
		}
		time.Sleep(120 * time.Millisecond)
	}
	reply := listenTurn(ctx, c, cfg.Listen)
	fmt.Printf("reply: %.1f s of audio\n", seconds(reply))
	if cfg.Transcribe && len(reply) > 0 {
		text, err := transcribe(ctx, reply)
		if err != nil {
			return fmt.Errorf("transcribing the reply: %w", err)
		}
		fmt.Printf("heard: %s\n", text)
	}
	return nil
}

func seconds(pcm []int16) float64 { return float64(len(pcm)) / 8000 }

// listenTurn collects the bot's audio from its first loud frame until it has
// been quiet for a second, or until max passes or the call ends.
func listenTurn(ctx context.Context, c *sipua.Call, max time.Duration) []int16 {
	var heard []int16
	quiet := 0
	deadline := time.After(max)
	for {
		select {
		case <-ctx.Done():
			return heard
		case <-c.Done():
			return heard
		case <-deadline:
			return heard
		case f := <-c.Media.Frames():
			loud := rms(f) > 300
			switch {
			case loud:
				quiet = 0
				heard = append(heard, f...)
			case len(heard) > 0:
				quiet++
				heard = append(heard, f...)
				if quiet >= 50 {
					return heard[:len(heard)-quiet*len(f)]
				}
			}
		}
	}
}

func rms(f []int16) float64 {
	var s float64
	for _, v := range f {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(1, len(f))))
}

func transcribe(ctx context.Context, pcm8k []int16) (string, error) {
	rec, err := sphinx.New(sphinx.DefaultConfig())
	if err != nil {
		return "", err
	}
	defer rec.Close()
	st, err := rec.NewStream(ctx, pipeline.English)
	if err != nil {
		return "", err
	}
	defer st.Close()
	if err := st.Write(media.Resample(pcm8k, 8000, rec.SampleRate())); err != nil {
		return "", err
	}
	tr, err := st.Finish(ctx)
	return strings.TrimSpace(tr.Text), err
}
