module internal XenMatchbox.Domain.Argv

open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags

/// A command-line error, as the boot workflow carries it.
let private fail error : Result<'a, BootError> = Error(BootError.CommandLine error)

type Source =
    | FromArgv
    | FromEnvironment of variable: string
    | FromFile of path: string * line: int

/// How errors name a value's setting: the flag, its variable, or its key and its file line.
let private named flag source =
    let name = (spec flag).Name
    match source with
    | FromEnvironment variable -> variable
    | FromFile(path, line) -> $"{name.TrimStart '-'} ({path} line {line})"
    | FromArgv -> name

type Given =
    { Values: Map<Flag, (string * Source) list>
      Disk: string option }

    member this.All flag =
        this.Values |> Map.tryFind flag |> Option.defaultValue [] |> List.map fst
    member this.One flag = this.All flag |> List.tryHead
    member this.Has flag = this.Values.ContainsKey flag
    member this.Named flag =
        match this.Values |> Map.tryFind flag |> Option.bind List.tryHead with
        | Some(_, source) -> named flag source
        | None -> (spec flag).Name
    member this.Sourced flag =
        this.Values
        |> Map.tryFind flag
        |> Option.defaultValue []
        |> List.map (fun (value, source) -> value, named flag source)

let wantsHelp (argv: string array) =
    let help = names Help
    argv |> Array.exists (fun a -> List.contains a help)

let wantsVersion (argv: string array) =
    not (wantsHelp argv) && argv |> Array.exists (fun a -> List.contains a (names Version))

let configFlag (argv: string array) =
    let named = names Config
    argv
    |> Array.indexed
    |> Array.tryPick (fun (i, token) ->
        match named |> List.tryFind (fun n -> token.StartsWith(n + "=")) with
        | Some n -> Some(token.Substring(n.Length + 1))
        | None when List.contains token named && i + 1 < argv.Length -> Some argv[i + 1]
        | None -> None)

let commands = [ "show", ShowMode; "stage", StageMode; "check", CheckMode ]

let split (argv: string array) =
    match argv |> Array.tryHead |> Option.bind (fun word -> commands |> List.tryFind (fst >> (=) word)) with
    | Some(_, mode) -> mode, argv[1..]
    | None -> Bootloader, argv

let libxlFlags =
    all
    |> List.map spec
    |> List.filter _.FromLibxl
    |> List.map (fun flag -> if flag.Value.IsSome then flag.Name + "=" else flag.Name)

/// Whether the argument is one of libxl's own flags (which libxl passes whole, as --name=value).
let private isLibxlFlag (token: string) =
    libxlFlags |> List.exists (fun flag -> if flag.EndsWith "=" then token.StartsWith flag else token = flag)

let private unbalanced reason =
    match reason with
    | ShellWords.OpenSingleQuote -> "a single quote (') is never closed"
    | ShellWords.OpenDoubleQuote -> "a double quote (\") is never closed"
    | ShellWords.TrailingBackslash -> "it ends with a backslash that escapes nothing"

let expand (argv: string array) =
    match split argv with
    | Bootloader, _ when argv.Length > 1 ->
        let words (token: string) =
            if ShellWords.hasBlank token && not (isLibxlFlag token) then
                ShellWords.split token
                |> Result.mapError (fun reason -> BootError.CommandLine(UnbalancedQuote(token, unbalanced reason)))
            else
                Ok [ token ]
        argv[.. argv.Length - 2]
        |> Array.fold
            (fun acc token -> acc |> Result.bind (fun before -> words token |> Result.map (fun w -> before @ w)))
            (Ok [])
        |> Result.map (fun operator -> Array.append (Array.ofList operator) [| argv[argv.Length - 1] |])
    | _ -> Ok argv

let private modeName mode =
    match mode with
    | Bootloader -> "a boot"
    | ShowMode -> "show"
    | StageMode -> "stage"
    | CheckMode -> "check"

let private rejected reason = fail (CommandLineRejected reason)

let scan mode (argv: string array) =
    let add flag (value: string) (values: Map<Flag, (string * Source) list>) =
        let s = spec flag
        match values.TryFind flag with
        | _ when not (List.contains mode s.Modes) -> rejected $"{s.Name} is not for {modeName mode}"
        | Some _ when not s.Repeatable -> rejected $"{s.Name} is given more than once; keep one"
        | previous -> Ok(values.Add(flag, defaultArg previous [] @ [ value, FromArgv ]))
    let rec go i values disks =
        if i >= argv.Length then
            Ok(values, List.rev disks)
        else
            let token = argv[i]
            if token.StartsWith "--" then
                let name, inlineValue =
                    match token.IndexOf '=' with
                    | -1 -> token, None
                    | at -> token.Substring(0, at), Some(token.Substring(at + 1))
                let next (i: int) = Result.bind (fun v -> go i v disks)
                match tryFind name |> Option.map (fun f -> f, (spec f).Value), inlineValue with
                | None, _ -> rejected $"unknown flag '{name}'"
                | Some(_, None), Some _ -> rejected $"{name} takes no value"
                | Some(f, None), None -> add f "" values |> next (i + 1)
                | Some(f, Some _), Some value -> add f value values |> next (i + 1)
                | Some(f, Some _), None when i + 1 < argv.Length && not (argv[i + 1].StartsWith "--") ->
                    add f argv[i + 1] values |> next (i + 2)
                | Some(_, Some placeholder), None -> rejected $"{name} needs a value <{placeholder}>"
            else
                go (i + 1) values ((i, token) :: disks)
    go 0 Map.empty []
    |> Result.bind (fun (values, disks) ->
        match mode, disks with
        | Bootloader, [] -> rejected "the disk path (libxl passes it last) is missing"
        | Bootloader, [ (at, disk) ] when at = argv.Length - 1 -> Ok { Values = values; Disk = Some disk }
        | Bootloader, [ (_, disk) ] ->
            rejected
                $"'{disk}' is a value without its flag, or the disk path before other flags; libxl passes the disk last"
        | Bootloader, (_, first) :: (_, second) :: _ ->
            rejected $"two disk paths, '{first}' and '{second}'; libxl passes one, last"
        | _, [] -> Ok { Values = values; Disk = None }
        | _, (_, word) :: _ -> rejected $"'{word}' is a value without its flag; {modeName mode} takes flags only")
