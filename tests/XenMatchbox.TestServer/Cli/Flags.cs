namespace XenMatchbox.TestServer;

/// <summary>
/// Flags as Go's flag package (and so matchbox) accepts them: <c>-name value</c>, <c>--name value</c>,
/// <c>-name=value</c>; switches take no value. Unknown flags and stray arguments are errors.
/// </summary>
internal sealed class Flags
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> switches = new(StringComparer.Ordinal);

    public static Flags Parse(IReadOnlyList<string> args, IReadOnlySet<string> valueFlags, IReadOnlySet<string> switchFlags)
    {
        var flags = new Flags();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-') || arg.TrimStart('-').Length == 0)
            {
                throw new UsageException($"unexpected argument '{arg}'");
            }
            var body = arg.TrimStart('-');
            var equals = body.IndexOf('=');
            var name = equals >= 0 ? body[..equals] : body;
            if (name is "h" or "help")
            {
                throw new HelpRequested();
            }
            if (switchFlags.Contains(name) && equals < 0)
            {
                flags.switches.Add(name);
            }
            else if (valueFlags.Contains(name))
            {
                flags.values[name] = equals >= 0 ? body[(equals + 1)..]
                    : i + 1 < args.Count ? args[++i]
                    : throw new UsageException($"flag needs an argument: --{name}");
            }
            else
            {
                throw new UsageException($"flag provided but not defined: --{name}");
            }
        }
        return flags;
    }

    public string? Value(string name) => values.GetValueOrDefault(name);

    public string Required(string name) =>
        Value(name) is { Length: > 0 } value ? value : throw new UsageException($"--{name} is required");

    public bool Switch(string name) => switches.Contains(name);
}

/// <summary>The command line is wrong; the message says how.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>-h or --help was given: print the usage and succeed.</summary>
internal sealed class HelpRequested() : Exception("help requested");
