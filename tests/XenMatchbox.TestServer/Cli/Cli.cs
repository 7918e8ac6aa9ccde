namespace XenMatchbox.TestServer;

/// <summary>The program's one seam: picks the command, maps every outcome to an exit code.</summary>
internal static class Cli
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return args switch
            {
                ["serve", .. var rest] => await ServeCommand.RunAsync(Flags.Parse(rest, ServeCommand.ValueFlags, ServeCommand.Switches)),
                ["certs", .. var rest] => CertsCommand.Run(Flags.Parse(rest, CertsCommand.ValueFlags, CertsCommand.Switches)),
                ["sign", .. var rest] => SignCommand.Run(rest),
                ["help" or "-h" or "--help" or "-help", ..] => Print(Usage.Text, ExitCode.Ok),
                [] => Print(Usage.Text, ExitCode.Usage, Console.Error),
                [var command, ..] => throw new UsageException($"unknown command '{command}'"),
            };
        }
        catch (HelpRequested)
        {
            return Print(Usage.Text, ExitCode.Ok);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"xenmatchbox-testserver: {e.Message}\n\n{Usage.Text}");
            return (int)ExitCode.Usage;
        }
    }

    private static int Print(string text, ExitCode code, TextWriter? writer = null)
    {
        (writer ?? Console.Out).Write(text);
        return (int)code;
    }
}

/// <summary>Exit codes: 0 success, 1 the command failed, 2 the command line was wrong.</summary>
internal enum ExitCode
{
    Ok = 0,
    Failed = 1,
    Usage = 2,
}
