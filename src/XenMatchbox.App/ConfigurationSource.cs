using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>Where settings come from besides argv: the environment and the configuration file.</summary>
internal static class ConfigurationSource
{
    /// <summary>
    /// The environment and the configuration file: --config (or XENMATCHBOX_CONFIG) names a file
    /// that must exist; the default one is read when it exists.
    /// </summary>
    public static CommandLine.Context Read(string[] argv)
    {
        var environment = FuncConvert.FromFunc<string, FSharpOption<string>?>(
            name => Environment.GetEnvironmentVariable(name) is { } value ? FSharpOption<string>.Some(value) : FSharpOption<string>.None);
        if (argv.Contains("--help") || argv.Contains("-h"))
        {
            return new CommandLine.Context(environment, ListModule.Empty<string>(), FSharpOption<Tuple<string, string>>.None);
        }
        var own = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(name => name.StartsWith("XENMATCHBOX_", StringComparison.Ordinal));
        var (path, named) = CommandLine.configFile(environment, argv);
        FSharpOption<Tuple<string, string>> file;
        try
        {
            file = FSharpOption<Tuple<string, string>>.Some(Tuple.Create(path, ReadConfigFile(path)));
        }
        catch (Exception e) when (!named && e is FileNotFoundException or DirectoryNotFoundException)
        {
            file = FSharpOption<Tuple<string, string>>.None;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var detail = e switch
            {
                FileNotFoundException => "there is no such file",
                DirectoryNotFoundException => "a directory on its path does not exist",
                UnauthorizedAccessException => "permission denied",
                _ => e.Message,
            };
            throw new BootFailure(CommandLineError.NewConfigUnreadable(path, detail));
        }
        return new CommandLine.Context(environment, ListModule.OfSeq(own), file);
    }

    /// <summary>
    /// The file's text, from a regular file and refused past <see cref="MaxConfigBytes"/> (a wrong
    /// --config such as /dev/zero or a FIFO must not hang): see <see cref="BoundedFile"/>.
    /// </summary>
    private static string ReadConfigFile(string path)
    {
        byte[] bytes;
        try
        {
            // /dev/null is a way to say "no configuration file".
            bytes = BoundedFile.Read(path, MaxConfigBytes, allowCharacterDevice: true);
        }
        catch (IOException e) when (e.Message.StartsWith("it is larger than", StringComparison.Ordinal))
        {
            throw new IOException($"{e.Message}; a configuration file is a few lines");
        }
        try
        {
            return new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new IOException("it is not UTF-8 text");
        }
    }

    private const int MaxConfigBytes = 64 * 1024;

}
