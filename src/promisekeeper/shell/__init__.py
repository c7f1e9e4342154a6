"""The shell: the `pk prompt` fast path (stdlib only), `pk init` snippets, completions."""
