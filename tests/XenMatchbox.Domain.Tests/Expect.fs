/// Assertions that show text the way an operator can read it: every control character, NUL and
/// non-ASCII character escaped, so a stray byte in an output format is visible in a failure.
module Expect

open System
open System.Text
open XenMatchbox.Domain.Errors

/// The text with C-style escapes for anything that is not printable ASCII.
let escaped (text: string) =
    let out = StringBuilder()
    for rune in text.EnumerateRunes() do
        match rune.Value with
        | 0 -> out.Append "\\0" |> ignore
        | 0x09 -> out.Append "\\t" |> ignore
        | 0x0a -> out.Append "\\n" |> ignore
        | 0x0d -> out.Append "\\r" |> ignore
        | 0x5c -> out.Append "\\\\" |> ignore
        | 0x22 -> out.Append "\\\"" |> ignore
        | c when c < 0x20 || c = 0x7f -> out.Append($"\\x{c:x2}") |> ignore
        | c when c < 0x7f -> out.Append(char c) |> ignore
        | c when c <= 0xffff -> out.Append($"\\u{c:x4}") |> ignore
        | c -> out.Append($"\\U{c:x8}") |> ignore
    "\"" + out.ToString() + "\""

/// Bytes as escaped text; bytes that are not valid UTF-8 show as U+FFFD.
let escapedBytes (bytes: byte array) = escaped (Encoding.UTF8.GetString bytes)

let fail (message: string) : 'a = raise (Xunit.Sdk.XunitException message)

let equalText (expected: string) (actual: string) =
    if not (String.Equals(expected, actual, StringComparison.Ordinal)) then
        fail $"expected {escaped expected}\n  actual {escaped actual}"

let equalBytes (expected: byte array) (actual: byte array) =
    if expected <> actual then
        fail
            $"expected {escapedBytes expected} ({expected.Length} bytes)\n  actual {escapedBytes actual} ({actual.Length} bytes)"

let equal (what: string) (expected: 'a) (actual: 'a) =
    if expected <> actual then
        fail $"{what}: expected %A{expected}\n  actual %A{actual}"

let isTrue (what: string) (condition: bool) = if not condition then fail what

/// The text holds the fragment.
let contains (what: string) (fragment: string) (text: string) =
    if not (text.Contains fragment) then
        fail $"{what}: {escaped fragment} is not in {escaped text}"

/// The error's code and the one line an operator sees, for failure messages.
let shown (error: BootError) = describe error

/// The Ok value, or a failure naming the error.
let ok (what: string) (result: Result<'a, BootError>) : 'a =
    match result with
    | Ok value -> value
    | Error error -> fail $"{what}: expected success, got {shown error}"

/// The error, or a failure naming what succeeded.
let error (what: string) (result: Result<'a, BootError>) : BootError =
    match result with
    | Ok value -> fail $"{what}: expected an error, got Ok %A{value}"
    | Error error -> error

/// Help text as one line: its wrapping undone (every run of spaces and line breaks one space), so
/// a description reads whole wherever help broke it.
let unwrapped (text: string) = RegularExpressions.Regex.Replace(text, @"\s+", " ")
