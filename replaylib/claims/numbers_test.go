package claims

import "testing"

func TestNumbersWithoutTimes(t *testing.T) {
	a := `{"compute_seconds": 12.5, "tasks": [{"w1": 0.25, "seconds": 3, "models": [{"train_seconds": 9, "error": 0.02}]}]}`
	b := `{"compute_seconds": 99, "tasks": [{"w1": 0.25, "seconds": 7, "models": [{"train_seconds": 1, "error": 0.02}]}]}`
	c := `{"compute_seconds": 12.5, "tasks": [{"w1": 0.26, "seconds": 3, "models": [{"train_seconds": 9, "error": 0.02}]}]}`
	na, err := NumbersWithoutTimes([]byte(a))
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := NumbersWithoutTimes([]byte(b))
	nc, _ := NumbersWithoutTimes([]byte(c))
	if want := `{"tasks":[{"models":[{"error":0.02}],"w1":0.25}]}`; na != want {
		t.Errorf("got %s, want %s", na, want)
	}
	if na != nb {
		t.Errorf("runs differing only in time: %s vs %s", na, nb)
	}
	if na == nc {
		t.Errorf("runs differing in w1 compare equal")
	}
	if _, err := NumbersWithoutTimes([]byte("{")); err == nil {
		t.Error("truncated JSON accepted")
	}
}
