module XenMatchbox.Domain.Completion

open XenMatchbox.Domain.Flags

let flagsOf mode =
    all |> List.filter (fun f -> List.contains mode (spec f).Modes) |> List.collect names

/// Flags whose value names a directory; other "path" values are files.
let private directories = [ CacheDir; Dir; OutputDirectory ]

let private caseOf (flags: Flag list) = flags |> List.collect names |> String.concat "|"

let private valued = all |> List.filter (fun f -> (spec f).Value.IsSome)

let private files = valued |> List.filter (fun f -> (spec f).Value = Some "path" && not (List.contains f directories))

/// Values nothing can guess (a host, a label, seconds): complete nothing rather than file names.
let private free = valued |> List.filter (fun f -> (spec f).Value <> Some "path" && f <> OutputFormat)

let private words flags = String.concat " " flags

let bash =
    // The words argv may start with: show, stage, check (Argv.commands), help and version.
    let commands =
        Usage.commands
        |> List.filter (fun c -> (Usage.tryCommandWord (Usage.commandName c)).IsSome)
        |> List.map Usage.commandName
        |> words
    let topics = Usage.commands |> List.map Usage.commandName |> words
    let answeredAlone = words (names Help)
    let perCommand =
        (Argv.commands |> List.map (fun (word, mode) -> $"        {word}) flags='{words (flagsOf mode)}' ;;\n"))
        @ [ $"        help|version) flags='{answeredAlone}' ;;\n" ]
        |> String.concat ""
    let formats = Output.formats |> List.map Output.formatName |> words
    $"""# bash completion for xenmatchbox(1), generated from its flag table (Manual and Completion in
# src/XenMatchbox.Domain): the commands, then the flags of the command given.
_xenmatchbox()
{{
    local cur prev words cword split
    _init_completion -s || return

    case $prev in
        {caseOf files})
            _filedir
            return ;;
        {caseOf directories})
            _filedir -d
            return ;;
        {caseOf [ OutputFormat ]})
            COMPREPLY=($(compgen -W '{formats}' -- "$cur"))
            return ;;
        {caseOf free})
            return ;;
    esac
    $split && return

    local flags
    case ${{words[1]}} in
{perCommand}        *) flags='{words (flagsOf Bootloader)}' ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif [[ $cword -eq 1 ]]; then
        COMPREPLY=($(compgen -W '{commands}' -- "$cur"))
    elif [[ $cword -eq 2 && ${{words[1]}} == help ]]; then
        COMPREPLY=($(compgen -W '{topics}' -- "$cur"))
    else
        _filedir
    fi
}} &&
    complete -F _xenmatchbox xenmatchbox
"""
