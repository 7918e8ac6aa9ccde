module internal XenMatchbox.Domain.IpxeImage

let private optionsWithValue = set [ "--name"; "-n"; "--timeout"; "-t" ]
let private flagOptions = set [ "--autofree"; "-a"; "--replace"; "-r" ]

let rec take (what: string) (tokens: string list) =
    match tokens with
    | option :: _ :: rest when optionsWithValue.Contains option -> take what rest
    | [ option ] when optionsWithValue.Contains option -> Error $"has the option '{option}' without its value"
    | option :: rest when flagOptions.Contains option -> take what rest
    | option :: rest when option.StartsWith "--name=" || option.StartsWith "--timeout=" -> take what rest
    | option :: _ when option.StartsWith "-" ->
        Error $"has '{Text.shown 60 option}' in front of the {what}, which is not an iPXE image option"
    | reference :: rest -> Ok(reference, rest)
    | [] -> Error $"names no {what}"
