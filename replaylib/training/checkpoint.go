package training

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"

	"github.com/replaylab/replay/replaylib/model"
)

// Checkpoints are GoMLX's pair of files, <base>.bin (the variables) and <base>.json (their
// layout and the context's parameters), in the run directory. GoMLX's handler writes them under
// their final names, so a process killed while saving left a truncated pair that every later
// resume tried to load first. Here the handler writes into StagingDir and the pair is renamed into
// the run directory, the .bin first and the .json last (a pair is listed by its .json): the
// directory only ever holds complete checkpoints, at any instant of a kill. Loading goes from
// the newest checkpoint to older ones, checking each pair completely (layout, sizes, gzip
// checksum) before giving it to GoMLX, and skips one that cannot be read with a warning.
const (
	// StagingDir (inside the run directory) holds a checkpoint while it is being written.
	StagingDir = ".checkpoint-staging"
	// KeepCheckpoints is the number of newest checkpoints kept.
	KeepCheckpoints = 2
	// UnreadableSuffix is appended to the names of a checkpoint's files that could not be read,
	// so that they are kept for inspection but no longer listed.
	UnreadableSuffix = ".unreadable"

	checkpointPrefix = "checkpoint-"
	// configParam is the context parameter that records, in every checkpoint, the Config it was
	// trained with (JSON): config.json must agree with it.
	configParam = "replay_training_config"
	// Header of GoMLX's compressed checkpoint data (checkpoints.getSaveVarFiles).
	gomlxBinHeader = "gomlx_checkpoints"
)

var checkpointNumber = regexp.MustCompile(`^checkpoint-n(\d+)-`)

// checkpointMeta mirrors GoMLX's checkpoint JSON (checkpoints.serializedData).
type checkpointMeta struct {
	Params []struct {
		Scope, Key string
		Value      any
	}
	Variables []struct {
		ParameterName string
		Dimensions    []int
		DType         dtypes.DType
		Pos, Length   int
	}
	BinFormat string
}

// recordedConfig returns the Config recorded in the checkpoint, if it has one.
func (m *checkpointMeta) recordedConfig() (Config, bool) {
	for _, p := range m.Params {
		if p.Key != configParam {
			continue
		}
		s, ok := p.Value.(string)
		var cfg Config
		if ok && json.Unmarshal([]byte(s), &cfg) == nil {
			return cfg, true
		}
	}
	return Config{}, false
}

// listCheckpoints returns the base names of the checkpoints in dir (those with a .json), oldest
// first: by the number GoMLX gives each save, then by name.
func listCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var bases []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasPrefix(name, checkpointPrefix) || !strings.HasSuffix(name, checkpoints.JsonNameSuffix) {
			continue
		}
		bases = append(bases, strings.TrimSuffix(name, checkpoints.JsonNameSuffix))
	}
	slices.SortFunc(bases, func(a, b string) int {
		if na, nb := checkpointSeq(a), checkpointSeq(b); na != nb {
			return na - nb
		}
		return strings.Compare(a, b)
	})
	return bases, nil
}

// checkpointSeq is the save number in a checkpoint's name (-1 if it has none).
func checkpointSeq(name string) int {
	m := checkpointNumber.FindStringSubmatch(name)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return -1
	}
	return n
}

// readCheckpoint reads and checks the pair base.{json,bin} in dir: the JSON decodes, the
// variables' sizes match their shapes and lie end to end, and the data is complete (its gzip
// checksum verified). It returns the raw files and the decoded layout.
func readCheckpoint(dir, base string) (jsonData, binData []byte, meta *checkpointMeta, err error) {
	jsonData, err = readRegular(filepath.Join(dir, base+checkpoints.JsonNameSuffix), maxCheckpointJSON)
	if err != nil {
		return nil, nil, nil, err
	}
	meta = &checkpointMeta{}
	if err := json.Unmarshal(jsonData, meta); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", base+checkpoints.JsonNameSuffix, err)
	}
	if len(meta.Variables) == 0 {
		return nil, nil, nil, fmt.Errorf("%s: lists no variables", base+checkpoints.JsonNameSuffix)
	}
	total := 0
	for _, v := range meta.Variables {
		size := float64(v.DType.Size())
		for _, d := range v.Dimensions {
			if d < 0 {
				size = -1
				break
			}
			size *= float64(d)
		}
		if v.DType.Size() <= 0 || size < 0 || size > 1<<40 || int(size) != v.Length || v.Pos != total {
			return nil, nil, nil, fmt.Errorf("%s: variable %q: shape %v of %s, %d bytes at %d: inconsistent",
				base+checkpoints.JsonNameSuffix, v.ParameterName, v.Dimensions, v.DType, v.Length, v.Pos)
		}
		total += v.Length
	}
	// The .bin holds total bytes, or fewer gzip-compressed (deflate adds at most a few bytes per
	// 16 KiB block, and a header): anything larger is refused before it is read.
	binData, err = readRegular(filepath.Join(dir, base+checkpoints.BinDataSuffix), int64(total)+int64(total)/1000+4096)
	if err != nil {
		return nil, nil, nil, err
	}
	data := binData
	if bytes.HasPrefix(binData, []byte(gomlxBinHeader)) {
		rest := binData[len(gomlxBinHeader):]
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) || string(rest[1:1+int(rest[0])]) != "gzip" {
			return nil, nil, nil, fmt.Errorf("%s: unknown compression header", base+checkpoints.BinDataSuffix)
		}
		zr, err := gzip.NewReader(bytes.NewReader(rest[1+int(rest[0]):]))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", base+checkpoints.BinDataSuffix, err)
		}
		// Reading past the expected length reaches the end of the stream, where gzip checks its CRC.
		data, err = io.ReadAll(io.LimitReader(zr, int64(total)+1))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", base+checkpoints.BinDataSuffix, err)
		}
	}
	if len(data) != total {
		return nil, nil, nil, fmt.Errorf("%s: holds %d bytes of variables, its layout says %d", base+checkpoints.BinDataSuffix, len(data), total)
	}
	return jsonData, binData, meta, nil
}

// maxCheckpointJSON bounds the JSON files of a run: a checkpoint's .json (a list of variables),
// config.json and history.json (kilobytes to a few megabytes).
const maxCheckpointJSON = 64 << 20

// readRegular reads path, which must be a regular file (after symbolic links) of at most maxBytes:
// a device (/dev/zero), a FIFO or an oversized (even sparse) file is refused before anything is
// read, and the read itself stops at maxBytes whatever the file does meanwhile.
func readRegular(path string, maxBytes int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%v)", filepath.Base(path), st.Mode().Type())
	}
	if st.Size() > maxBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d its layout allows", filepath.Base(path), st.Size(), maxBytes)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0) // never blocks, should it have become a FIFO
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%s: grew past the %d bytes its layout allows while read", filepath.Base(path), maxBytes)
	}
	return data, nil
}

// loadCheckpoint loads base from dir into a new context (all variables at once).
func loadCheckpoint(dir, base string) (ctx *context.Context, meta *checkpointMeta, err error) {
	jsonData, binData, meta, err := readCheckpoint(dir, base)
	if err != nil {
		return nil, nil, err
	}
	ctx = context.New()
	defer func() {
		if p := recover(); p != nil { // GoMLX panics on some malformed input: treat it as unreadable
			ctx, meta, err = nil, nil, fmt.Errorf("loading %s: %v", base, p)
		}
	}()
	if _, err := checkpoints.Build(ctx).FromEmbed(string(jsonData), binData).Immediate().Done(); err != nil {
		return nil, nil, err
	}
	// Immediate loading makes every variable trainable; the noise generator's state is not.
	if v := ctx.GetVariableByScopeAndName(context.RootScope, context.RNGStateVariableName); v != nil {
		v.SetTrainable(false)
	}
	for v := range ctx.IterVariables() { // the state carried between training windows
		if v.Scope() == "/"+CarryScope {
			v.SetTrainable(false)
		}
	}
	return ctx, meta, nil
}

// loadNewest loads the newest readable checkpoint of r.Dir into r.ctx and returns its name ("" if
// there is none). Unreadable checkpoints newer than it add one warning line; unless readOnly,
// their files are renamed aside (UnreadableSuffix), so that they never block a resume again.
func (r *Run) loadNewest(readOnly bool) (base string, meta *checkpointMeta, err error) {
	bases, err := listCheckpoints(r.Dir)
	if err != nil {
		return "", nil, fmt.Errorf("checkpoints in %s: %w", r.Dir, err)
	}
	var skipped []string
	for i := len(bases) - 1; i >= 0; i-- {
		ctx, m, err := loadCheckpoint(r.Dir, bases[i])
		if err == nil {
			r.ctx, base, meta = ctx, bases[i], m
			break
		}
		skipped = append(skipped, fmt.Sprintf("%s (%s)", bases[i], err))
		if !readOnly {
			for _, suffix := range []string{checkpoints.JsonNameSuffix, checkpoints.BinDataSuffix} {
				p := filepath.Join(r.Dir, bases[i]+suffix)
				if rerr := os.Rename(p, p+UnreadableSuffix); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
					return "", nil, fmt.Errorf("setting aside unreadable checkpoint %s: %w", p, rerr)
				}
			}
		}
	}
	if len(skipped) > 0 {
		what := "skipped"
		if !readOnly {
			what = "set aside as *" + UnreadableSuffix
		}
		from := "starting from step 0"
		switch {
		case readOnly && base != "":
			from = "reading " + base + " instead"
		case readOnly:
			from = "no checkpoint is left to read"
		case base != "":
			from = "resuming from " + base
		}
		r.warnf("%d unreadable checkpoint(s) in %s %s: %s; %s", len(skipped), r.Dir, what, strings.Join(skipped, ", "), from)
	}
	return base, meta, nil
}

// checkLoaded checks that a loaded checkpoint is one of cfg's: the Config it records (if any)
// describes the same run, and the network's weights have the shapes cfg gives them.
func (r *Run) checkLoaded(base string, meta *checkpointMeta) error {
	cfgPath := filepath.Join(r.Dir, ConfigFile)
	if rec, ok := meta.recordedConfig(); ok && !sameRun(rec, r.Config) {
		return fmt.Errorf("%w: %s was trained with another config than %s (differs in %v); restore config.json or use another directory",
			ErrConfigMismatch, filepath.Join(r.Dir, base), cfgPath, configDiff(rec, r.Config))
	}
	scope := r.ctx.In(model.Scope)
	shapes := r.Config.Model.WeightShapes()
	for _, name := range slices.Sorted(maps.Keys(shapes)) { // in a fixed order: the error names the same weight every time
		dims := shapes[name]
		v := scope.GetVariableByScopeAndName(scope.Scope(), name)
		if v == nil {
			return fmt.Errorf("%w: %s has no weight %s/%s: not a network of this project", ErrConfigMismatch, filepath.Join(r.Dir, base), model.Scope, name)
		}
		if got := v.Shape().Dimensions; !slices.Equal(got, dims) {
			return fmt.Errorf("%w: %s holds %s/%s of shape %v, but %s (task %s, hidden %d, readout %s) needs shape %v",
				ErrConfigMismatch, filepath.Join(r.Dir, base), model.Scope, name, got, cfgPath, r.Config.Task, r.Config.Model.Hidden, r.Config.Model.Readout, dims)
		}
	}
	return nil
}

// prepareDir removes what an interrupted save can leave: the staging directory, and data files
// whose .json never arrived.
func prepareDir(dir string) error {
	if err := os.RemoveAll(filepath.Join(dir, StagingDir)); err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if base, ok := strings.CutSuffix(name, checkpoints.BinDataSuffix); ok && strings.HasPrefix(name, checkpointPrefix) {
			if _, err := os.Stat(filepath.Join(dir, base+checkpoints.JsonNameSuffix)); errors.Is(err, os.ErrNotExist) {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
	return nil
}

// newSaver attaches the handler that writes checkpoints into the staging directory.
func (r *Run) newSaver() error {
	staging := filepath.Join(r.Dir, StagingDir)
	if err := os.MkdirAll(staging, 0o755); err != nil {
		return fmt.Errorf("run directory %s: %w", r.Dir, err)
	}
	h, err := checkpoints.Build(r.ctx).Dir(staging).Keep(-1).Done()
	if err != nil {
		return fmt.Errorf("checkpoints in %s: %w", r.Dir, err)
	}
	r.checkpoint = h
	return nil
}

// saveCheckpoint writes a checkpoint of the current step: staged, synced, renamed into place
// (.bin, then .json), then the older ones beyond KeepCheckpoints removed.
func (r *Run) saveCheckpoint() error {
	staging := filepath.Join(r.Dir, StagingDir)
	if err := clearDir(staging); err != nil {
		return err
	}
	cfgJSON, err := json.Marshal(r.Config)
	if err != nil {
		return err
	}
	r.ctx.SetParam(configParam, string(cfgJSON))
	if err := r.checkpoint.Save(); err != nil {
		return err
	}
	staged, err := listCheckpoints(staging)
	if err != nil || len(staged) != 1 {
		return fmt.Errorf("staged checkpoint in %s: found %d (%v)", staging, len(staged), err)
	}
	seq := 0
	if entries, err := os.ReadDir(r.Dir); err == nil {
		for _, e := range entries {
			seq = max(seq, checkpointSeq(e.Name())+1)
		}
	}
	base := fmt.Sprintf("%sn%07d-%s-step-%08d", checkpointPrefix, seq, time.Now().Format("20060102-150405"), r.GlobalStep())
	for _, suffix := range []string{checkpoints.BinDataSuffix, checkpoints.JsonNameSuffix} {
		from := filepath.Join(staging, staged[0]+suffix)
		if err := syncFile(from); err != nil {
			return err
		}
		if err := os.Rename(from, filepath.Join(r.Dir, base+suffix)); err != nil {
			return err
		}
	}
	syncDir(r.Dir)
	bases, err := listCheckpoints(r.Dir)
	if err != nil {
		return err
	}
	for _, old := range bases[:max(0, len(bases)-KeepCheckpoints)] {
		for _, suffix := range []string{checkpoints.JsonNameSuffix, checkpoints.BinDataSuffix} {
			if err := os.Remove(filepath.Join(r.Dir, old+suffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func clearDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir makes renames in dir durable where the system allows it (errors are ignored: some
// systems cannot sync a directory, and the renames are atomic either way).
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// oneLine joins the lines of s.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// warnf records a warning of Open (one line).
func (r *Run) warnf(format string, args ...any) {
	r.Warnings = append(r.Warnings, oneLine(fmt.Sprintf(format, args...)))
}
