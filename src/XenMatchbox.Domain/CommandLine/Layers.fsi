/// The environment and the configuration file, layered under the command line: the command line
/// wins over XENMATCHBOX_* variables, the variables over the file. Which flags each may set is the
/// flag spec's Places.
module internal XenMatchbox.Domain.Layers

open XenMatchbox.Domain.Argv
open XenMatchbox.Domain.Errors
open XenMatchbox.Domain.Flags

/// Values from one layer, as a flag would give them, each with where it came from.
type Layer = (Flag * string * Source) list

/// A switch's value in the environment or the file: true, yes, 1, on or false, no, 0, off (any case).
val switchValue: text: string -> bool option

/// The XENMATCHBOX_* variables that are set (ownVariables), read through environment. A variable
/// that sets no flag is an error, so that a misspelt one is not silently ignored.
val environmentLayer: environment: (string -> string option) -> ownVariables: string list -> Result<Layer, BootError>

/// The configuration file's lines, "key = value" (a value may be in double quotes), blank lines and
/// '#' comments. Unknown keys, keys the file may not set, a key set twice (but for a repeatable
/// flag's, e.g. server, whose lines add up in order) and a file that is not text are errors naming
/// the file and line.
val fileLayer: path: string -> text: string -> Result<Layer, BootError>

/// Adds a lower layer's values (all of a repeatable flag's, in order) for the flags the given ones
/// do not set; a setting also hides the
/// settings it excludes (--no-cache and --cache-dir; --http-only and --cert/--key).
val underlay: given: Given -> layer: Layer -> Given
