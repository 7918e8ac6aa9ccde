module XenMatchbox.Domain.Ownership

open System

[<Literal>]
let Root = 0

[<Literal>]
let WritableByOthers = 0o022

[<Literal>]
let MaxLinks = 40

type Entry =
    | Directory of owner: int * mode: int
    | File of owner: int * mode: int
    | Device of owner: int
    | Link of target: string
    | Missing
    | Unexaminable of reason: string

type Examiner = { Examine: string -> Entry; WorkingDirectory: string }

type Fault =
    | Unsafe of path: string * directory: bool * owner: int * mode: int option
    | Unexamined of path: string * reason: string

type Verdict =
    | Safe
    | Unresolved
    | Faulty of faults: Fault list

let writableByOthers mode = mode &&& WritableByOthers <> 0

/// The sticky bit (0o1000) and write for others (0o002).
let shared mode = mode &&& 0o1000 <> 0 && mode &&& 0o002 <> 0

let private components (path: string) =
    path.Split('/', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray

/// An absolute path from its components, outermost first.
let private absolute (parts: string list) = "/" + String.concat "/" parts

/// The entry's fault, if it has one, added in front of those found so far.
let private held path directory owner mode faults =
    let writable = mode |> Option.exists writableByOthers
    if owner <> Root || writable then Unsafe(path, directory, owner, mode) :: faults else faults

let judge (examiner: Examiner) (path: string) =
    let outcome (faults: Fault list) =
        if faults.IsEmpty then Safe else Faulty(faults |> List.rev |> List.distinct)
    // Leads nowhere: the read will say why, unless something unsafe came before.
    let nowhere (faults: Fault list) = if faults.IsEmpty then Unresolved else outcome faults
    // directory: the directory reached so far, innermost first; pending: what is left to walk.
    let rec walk (directory: string list) (pending: string list) (links: int) (faults: Fault list) =
        match pending with
        | [] -> outcome faults
        | "." :: rest -> walk directory rest links faults
        | ".." :: rest ->
            let up =
                match directory with
                | [] -> []
                | _ :: outer -> outer
            walk up rest links faults
        | name :: rest ->
            let here = absolute (List.rev (name :: directory))
            match examiner.Examine here with
            | Missing -> nowhere faults
            | Unexaminable reason -> outcome (Unexamined(here, reason) :: faults)
            | Link target when links >= MaxLinks || target.Length = 0 -> nowhere faults
            | Link target ->
                let from = if target.StartsWith "/" then [] else directory
                walk from (components target @ rest) (links + 1) faults
            | Directory(owner, mode) -> walk (name :: directory) rest links (held here true owner (Some mode) faults)
            | File(owner, mode) when rest.IsEmpty -> outcome (held here false owner (Some mode) faults)
            | Device owner when rest.IsEmpty -> outcome (held here false owner None faults)
            // A file with more path after it: not a directory (ENOTDIR).
            | File _
            | Device _ -> nowhere faults
    if path.Length = 0 then
        Unresolved
    else
        let start =
            if path.StartsWith "/" then components path else components examiner.WorkingDirectory @ components path
        match examiner.Examine "/" with
        | Directory(owner, mode) -> walk [] start 0 (held "/" true owner (Some mode) [])
        | Unexaminable reason -> Faulty [ Unexamined("/", reason) ]
        | _ -> Unresolved

/// A mode as ls and chmod write it: four octal digits.
let private octal (mode: int) = Convert.ToString(mode &&& 0o7777, 8).PadLeft(4, '0')

let describe fault =
    match fault with
    | Unexamined(path, reason) -> $"{path} cannot be examined ({reason})"
    | Unsafe(path, directory, owner, mode) ->
        let kind =
            match directory, mode with
            | true, _ -> "the directory"
            | false, None -> "the device"
            | false, Some _ -> "the file"
        let owned = if owner <> Root then [ $"owned by uid {owner}" ] else []
        let writable =
            match mode with
            | Some m when writableByOthers m ->
                let who =
                    match m &&& 0o020 <> 0, m &&& 0o002 <> 0 with
                    | true, true -> "group and others"
                    | true, false -> "group"
                    | _ -> "others"
                [ $"writable by {who} (mode {octal m})" ]
            | _ -> []
        $"""{kind} {path} is {String.Join(" and ", owned @ writable)}"""

let mend fault =
    match fault with
    | Unexamined(path, _) -> $"find out why root cannot lstat {path}"
    | Unsafe(path, true, _, Some mode) when shared mode ->
        $"move the file out of {path}, which everyone may write by design, into a directory only root can write (such as /etc/xen)"
    | Unsafe(path, _, owner, mode) ->
        [ if owner <> Root then $"chown root {path}"
          if mode |> Option.exists writableByOthers then
              $"chmod go-w {path}" ]
        |> String.concat " && "
