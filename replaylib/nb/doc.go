// Package nb is the thin notebook helper: it shows figures and text in GoNB notebooks through
// gonbui (whose Display functions do nothing outside a notebook; nb prints text instead), picks
// the notebooks' sizes (Mode, Size) and output directory (Dir), runs the shared reproduction
// (Reproduce), trains with a live learning curve (Train) and offers the replay Playground. It is
// the only package of the library that imports gonbui.
package nb
