using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>Carries a Domain error out of the shell's IO code to the one place that reports it.</summary>
public sealed class BootFailure(Errors.BootError error, Exception? inner = null)
    : Exception(Errors.describe(error), inner)
{
    public Errors.BootError Error { get; } = error;
}
