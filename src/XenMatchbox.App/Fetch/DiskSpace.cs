using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>Room on a file system: checked before a known length is written, and named when a write hits a full disk.</summary>
internal static class DiskSpace
{
    private const int ENOSPC = 28;

    /// <summary>Refuses a download the file system cannot hold, before a byte is written.</summary>
    public static void EnsureRoom(string path, long needed)
    {
        long available;
        try
        {
            available = new DriveInfo(Path.GetDirectoryName(path) ?? "/").AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return;   // unknown: the write itself will tell
        }
        if (available < needed)
        {
            throw new BootFailure(DownloadError.NewDiskFull(path, $"{needed} bytes to write, {available} free"));
        }
    }

    /// <summary>The error for a failed write: XMB-408 when the file system is full.</summary>
    public static BootFailure WriteFailure(string path, IOException e) =>
        e.HResult == ENOSPC || e.Message.Contains("No space left", StringComparison.Ordinal)
            ? new BootFailure(DownloadError.NewDiskFull(path, e.Message), e)
            : new BootFailure(DownloadError.NewAssetWriteFailed(path, e.Message), e);
}
