// Package nb is the thin notebook helper: it shows figures and text in GoNB notebooks through
// gonbui (whose Display functions do nothing outside a notebook) and picks the notebooks' sizes.
// It is the only package of the library that imports gonbui.
package nb
