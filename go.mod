module github.com/replaylab/replay

go 1.26
