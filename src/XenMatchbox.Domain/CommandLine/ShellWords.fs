module internal XenMatchbox.Domain.ShellWords

open System.Text

type Unbalanced =
    | OpenSingleQuote
    | OpenDoubleQuote
    | TrailingBackslash

let private isBlank c = c = ' ' || c = '\t' || c = '\n'

let hasBlank (text: string) = text |> Seq.exists isBlank

/// The characters a backslash escapes inside double quotes (POSIX 2.2.3).
let private escapableInDoubleQuotes c = c = '$' || c = '`' || c = '"' || c = '\\' || c = '\n'

let split (text: string) =
    let words = ResizeArray<string>()
    let word = StringBuilder()
    // A word exists once any of its characters, or a quote, has been read: '' is an empty word.
    let mutable started = false
    let mutable i = 0
    let mutable failure = None
    let finish () =
        if started then
            words.Add(word.ToString())
            word.Clear() |> ignore
            started <- false
    while failure.IsNone && i < text.Length do
        let c = text[i]
        if isBlank c then
            finish ()
            i <- i + 1
        elif c = '\\' then
            if i + 1 >= text.Length then
                failure <- Some TrailingBackslash
            else
                // A backslash and a newline are a line continuation: both go away.
                if text[i + 1] <> '\n' then
                    word.Append(text[i + 1]) |> ignore
                    started <- true
                i <- i + 2
        elif c = '\'' then
            match text.IndexOf('\'', i + 1) with
            | -1 -> failure <- Some OpenSingleQuote
            | close ->
                word.Append(text, i + 1, close - i - 1) |> ignore
                started <- true
                i <- close + 1
        elif c = '"' then
            started <- true
            let mutable j = i + 1
            let mutable closed = false
            while not closed && j < text.Length do
                match text[j] with
                | '"' -> closed <- true
                | '\\' when j + 1 < text.Length && escapableInDoubleQuotes text[j + 1] ->
                    if text[j + 1] <> '\n' then
                        word.Append(text[j + 1]) |> ignore
                    j <- j + 1
                | other -> word.Append other |> ignore
                j <- j + 1
            if closed then i <- j else failure <- Some OpenDoubleQuote
        else
            word.Append c |> ignore
            started <- true
            i <- i + 1
    match failure with
    | Some unbalanced -> Error unbalanced
    | None ->
        finish ()
        Ok(List.ofSeq words)

/// Characters that mean nothing special to a shell, anywhere in a word.
let private plain c =
    System.Char.IsAsciiLetterOrDigit c
    || c = '-'
    || c = '_'
    || c = '.'
    || c = '/'
    || c = ':'
    || c = ','
    || c = '='
    || c = '@'
    || c = '%'
    || c = '+'

let quote (word: string) =
    if word.Length > 0 && Seq.forall plain word then word else "'" + word.Replace("'", "'\\''") + "'"
