using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>
/// Where settings come from besides argv: the environment and the configuration file, when the
/// Domain says the run needs them (not for --help). Which file, and what its bytes or a failed read
/// mean, is the Domain's ConfigFile policy; here only the bytes are read (of the host's file too,
/// when the command line's --config names another). A run as root also gets
/// the examiner with which the Domain judges every file root reads (<see cref="PathFacts"/>).
/// </summary>
internal static class ConfigurationSource
{
    public static CommandLine.Context Read(string[] argv)
    {
        var environment = FuncConvert.FromFunc<string, FSharpOption<string>?>(
            name => Environment.GetEnvironmentVariable(name) is { } value ? FSharpOption<string>.Some(value) : FSharpOption<string>.None);
        if (!CommandLine.needsContext(argv))
        {
            return CommandLine.noContext(environment);
        }
        var own = Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(CommandLine.isOwnVariable);
        var (path, named) = CommandLine.configFile(environment, argv);
        var file = ConfigFile.contents(path, named, ReadConfigFile(path)).OrFail();
        // A --config of the command line's does not replace the host's file as the floor of the
        // trust settings: the host's is read besides.
        var host = CommandLine.hostConfigFile(environment, argv).ValueOrNull() is { } hostFile
            ? ConfigFile.contents(hostFile.Item1, hostFile.Item2, ReadConfigFile(hostFile.Item1)).OrFail()
            : FSharpOption<Tuple<string, string>>.None;
        return new CommandLine.Context(environment, ListModule.OfSeq(own), file, host, PathFacts.ForThisRun());
    }

    /// <summary>
    /// How reading the file went: its bytes from a regular file (or a character device: /dev/null
    /// is a way to say "no configuration file"), refused past the Domain's cap so that a wrong
    /// --config such as /dev/zero or a FIFO must not hang (see <see cref="BoundedFile"/>).
    /// </summary>
    private static ConfigFile.ReadOutcome ReadConfigFile(string path)
    {
        try
        {
            return ConfigFile.ReadOutcome.NewBytes(BoundedFile.Read(path, ConfigFile.MaxBytes, allowCharacterDevice: true));
        }
        catch (FileNotFoundException)
        {
            return ConfigFile.ReadOutcome.NoSuchFile;
        }
        catch (DirectoryNotFoundException)
        {
            return ConfigFile.ReadOutcome.NoSuchDirectory;
        }
        catch (UnauthorizedAccessException)
        {
            return ConfigFile.ReadOutcome.PermissionDenied;
        }
        catch (FileTooLargeException)
        {
            return ConfigFile.ReadOutcome.TooLarge;
        }
        catch (IOException e)
        {
            return ConfigFile.ReadOutcome.NewFailed(e.Message);
        }
    }
}
