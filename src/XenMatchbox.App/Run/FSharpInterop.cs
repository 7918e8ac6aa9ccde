using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>Small bridges from F# Domain values to C#.</summary>
internal static class FSharpInterop
{
    public static T? ValueOrNull<T>(this FSharpOption<T>? option) where T : class =>
        option is null ? null : option.Value;

    public static FSharpOption<T> AsOption<T>(this T? value) where T : class =>
        value is null ? FSharpOption<T>.None : FSharpOption<T>.Some(value);

    public static FSharpOption<long> AsOption(this long? value) =>
        value is { } v ? FSharpOption<long>.Some(v) : FSharpOption<long>.None;

    public static T? AsNullable<T>(this FSharpOption<T>? option) where T : struct =>
        option is null ? null : option.Value;

    public static bool IsSome<T>(this FSharpOption<T>? option) => option is not null;

    /// <summary>The Ok value, or a <see cref="BootFailure"/> for the Domain's error.</summary>
    public static T OrFail<T>(this FSharpResult<T, Errors.BootError> result) =>
        result.IsOk ? result.ResultValue : throw new BootFailure(result.ErrorValue);
}
