using System.Reflection;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// The running build: the informational version the SDK wrote into this assembly (Version from
/// Directory.Build.props, "+commit" when built in a git work tree), read as an attribute, which
/// NativeAOT keeps without any reflection over types.
/// </summary>
internal static class ThisBuild
{
    public static Release.Release Release { get; } = XenMatchbox.Domain.Release.ofInformationalVersion(
        typeof(ThisBuild).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
}
