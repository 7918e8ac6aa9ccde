namespace XenMatchbox.TestServer;

/// <summary>
/// A way for the HTTP listener to misbehave on one path, in place of its normal response: for fault
/// tests of downloads. Derive from it for new behaviours; the named ones are the static members.
/// </summary>
public abstract class AssetFault
{
    /// <summary>Answers with this status code and an empty body.</summary>
    public static AssetFault Status(int statusCode) => new StatusFault(statusCode);

    /// <summary>Declares the asset's full Content-Length, sends only the first bytes, then drops the connection.</summary>
    public static AssetFault Truncate(long bytesToSend) => new TruncateFault(bytesToSend);

    /// <summary>Declares the full Content-Length, sends the first bytes, then hangs until the client gives up.</summary>
    public static AssetFault Stall(long afterBytes) => new StallFault(afterBytes);

    /// <summary>
    /// Declares the full Content-Length and sends the whole asset at about <paramref name="bytesPerSecond"/>
    /// (small writes every 100 ms), e.g. to keep a download in progress while a test signals the client.
    /// </summary>
    public static AssetFault SlowBody(long bytesPerSecond) => new SlowBodyFault(bytesPerSecond);

    /// <summary>
    /// Declares <paramref name="contentLength"/> bytes whatever the file's size (long.MaxValue, say),
    /// sends the first 4 KiB of the file, then drops the connection.
    /// </summary>
    public static AssetFault DeclaredLength(long contentLength) => new DeclaredLengthFault(contentLength);

    /// <summary>Sends the whole asset with chunked transfer encoding: no Content-Length.</summary>
    public static AssetFault Chunked { get; } = new ChunkedFault();

    /// <summary>Sends the whole asset with a Content-Length but no ETag or Last-Modified, never a 304.</summary>
    public static AssetFault WithoutValidators { get; } = new WithoutValidatorsFault();

    /// <summary>
    /// Serves the asset as matchbox v0.9.0's Go file server does: Last-Modified only (whole seconds),
    /// and 304 for any If-Modified-Since not older than the file, a rollback included.
    /// </summary>
    public static AssetFault GoFileServer { get; } = new GoFileServerFault();

    /// <summary>
    /// Answers any conditional request 304 with the file's current validators, matching or not (a
    /// careless proxy); unconditional requests normally.
    /// </summary>
    public static AssetFault NotModifiedAnyway { get; } = new NotModifiedAnywayFault();

    /// <summary>Answers 401 unless the request carries these HTTP Basic credentials, then normally.</summary>
    public static AssetFault BasicAuth(string user, string password) => new BasicAuthFault(user, password);

    /// <summary>200 with exactly <paramref name="body"/>, in place of what the path would serve.</summary>
    public static AssetFault Body(byte[] body) => new BodyFault(body);

    /// <summary>Redirects to <paramref name="location"/> (relative or absolute).</summary>
    public static AssetFault Redirect(string location, int statusCode = StatusCodes.Status302Found) =>
        new RedirectFault(location, statusCode);

    /// <summary>
    /// Writes the whole response. <paramref name="asset"/> is the file the path names, or null when it
    /// names none; <paramref name="stopping"/> fires when the client goes away or the server stops.
    /// </summary>
    public abstract Task RespondAsync(HttpContext context, AssetFile? asset, CancellationToken stopping);

    /// <summary>The response for a body fault on a path that names no asset file.</summary>
    protected static Task NotFoundAsync(HttpContext context) => GoResponses.NotFoundAsync(context);
}
