_pk_completion() {
    local IFS=$'\n'
    COMPREPLY=( $(env _PK_COMPLETE_LINE="${COMP_LINE:0:COMP_POINT}" \
        _PK_COMPLETE=complete_bash "$1" 2>/dev/null) )
    # Readline quotes what it inserts (spaces, quotes, backslashes) as it does for file names.
    compopt -o filenames 2>/dev/null
    return 0
}

complete -o default -F _pk_completion pk
