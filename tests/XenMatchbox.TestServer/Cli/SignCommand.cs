namespace XenMatchbox.TestServer;

/// <summary><c>sign --key-ring-path F FILE...</c>: FILE.sig beside each file, binary mode.</summary>
internal static class SignCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        var ring = args.Count >= 3 && args[0] is "--key-ring-path" or "-key-ring-path" ? args[1]
            : throw new UsageException("sign needs --key-ring-path F and at least one FILE");
        var signer = new KeyRingSigner(ring);
        foreach (var file in args.Skip(2))
        {
            File.WriteAllBytes(file + ".sig", signer.SignBinary(File.ReadAllBytes(file)));
        }
        return (int)ExitCode.Ok;
    }
}
