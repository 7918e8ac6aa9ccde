/// The one reader of golden files: hand-written expected outputs and their inputs under golden/
/// (golden/README.md), copied beside the tests. Files are named by their path under golden/, with
/// '/' between directories: "stanza/full.json".
module Golden

open System
open System.IO
open System.Text.Json

/// The full path of a file or directory under golden/ ("" is golden/ itself).
let path (relative: string) =
    Path.Combine(
        Array.append
            [| AppContext.BaseDirectory; "golden" |]
            (relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
    )

let exists (relative: string) = File.Exists(path relative)

let text (relative: string) = File.ReadAllText(path relative)

let bytes (relative: string) = File.ReadAllBytes(path relative)

/// The cases of a directory under golden/ ("" for golden/ itself): the names of its *.json inputs
/// without the extension, in order of their paths.
let cases (directory: string) =
    Directory.GetFiles(path directory, "*.json") |> Array.sort |> Array.map Path.GetFileNameWithoutExtension

/// A case's input: the string members of the JSON object in the file, by name.
let fields (relative: string) : Map<string, string> =
    use document = JsonDocument.Parse(text relative)
    document.RootElement.EnumerateObject()
    |> Seq.choose (fun self ->
        if self.Value.ValueKind = JsonValueKind.String then
            Some(self.Name, self.Value.GetString() |> nonNull)
        else
            None)
    |> Map.ofSeq
