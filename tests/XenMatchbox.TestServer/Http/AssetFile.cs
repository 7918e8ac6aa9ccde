using Microsoft.AspNetCore.StaticFiles;

namespace XenMatchbox.TestServer;

/// <summary>A file under the assets directory that a request path names.</summary>
public sealed class AssetFile
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    internal AssetFile(FileInfo file)
    {
        Path = file.FullName;
        Length = file.Length;
        LastModified = file.LastWriteTimeUtc;
    }

    /// <summary>Absolute path of the file.</summary>
    public string Path { get; }

    /// <summary>Size in bytes, which is also the Content-Length a full response declares.</summary>
    public long Length { get; }

    /// <summary>Last write time (UTC).</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>Media type by file extension; <c>application/octet-stream</c> when unknown.</summary>
    public string ContentType => ContentTypes.TryGetContentType(Path, out var type) ? type : "application/octet-stream";

    /// <summary>Opens the file for reading.</summary>
    public Stream OpenRead() => File.OpenRead(Path);

    /// <summary>Writes the first <paramref name="count"/> bytes of the file to the response body and flushes them.</summary>
    public async Task WritePrefixAsync(HttpResponse response, long count, CancellationToken cancellationToken)
    {
        await using var source = OpenRead();
        var buffer = new byte[64 * 1024];
        for (var left = Math.Min(count, Length); left > 0;)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
            if (read == 0)
            {
                break;
            }
            await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            left -= read;
        }
        await response.Body.FlushAsync(cancellationToken);
    }
}
