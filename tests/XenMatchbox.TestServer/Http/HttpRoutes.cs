namespace XenMatchbox.TestServer;

/// <summary>
/// The HTTP listener's paths, as matchbox serves them: <c>/</c> exactly, <c>/ipxe</c> (with
/// <c>/ipxe.sig</c> and <c>/ipxe.asc</c> when a signer is set), and
/// <c>/assets/…</c> when an assets directory is set; anything else is Go's 404. A fault set for the
/// path replaces the normal answer. No path checks the method, as matchbox's do not.
/// </summary>
internal static class HttpRoutes
{
    public static async Task DispatchAsync(HttpContext context, ServerState state, CancellationToken serverStopping)
    {
        var path = context.Request.Path.Value ?? "/";
        var asset = AssetRequests.Resolve(state.AssetsPath, path);

        if (state.Faults.Take(path, context.Request.IsHttps) is { } fault)
        {
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping);
            await fault.RespondAsync(context, asset, stopping.Token);
            return;
        }

        if (path == "/")
        {
            await GoResponses.TextAsync(context, StatusCodes.Status200OK, "matchbox\n");
        }
        else if (path == "/ipxe")
        {
            await IpxeAsync(context, state);
        }
        else if (path is "/ipxe.sig" or "/ipxe.asc" && state.IpxeSigner is { } signer)
        {
            await IpxeSignatureAsync(context, state, signer, armour: path.EndsWith(".asc", StringComparison.Ordinal));
        }
        else if (asset is not null)
        {
            await AssetRequests.ServeAsync(context, asset);
        }
        else
        {
            await GoResponses.NotFoundAsync(context);
        }
    }

    // Any failure to select a profile, or a profile without boot settings, is a 404.
    private static async Task IpxeAsync(HttpContext context, ServerState state)
    {
        var script = await RenderIpxeAsync(context, state);
        await (script is null
            ? GoResponses.NotFoundAsync(context)
            : GoResponses.TextAsync(context, StatusCodes.Status200OK, script));
    }

    // matchbox renders the base endpoint into a buffer and signs the buffer; no match is a 404 here too.
    private static async Task IpxeSignatureAsync(HttpContext context, ServerState state, IDetachedSigner signer, bool armour)
    {
        if (await RenderIpxeAsync(context, state) is not { } script)
        {
            await GoResponses.NotFoundAsync(context);
            return;
        }
        var signature = signer.SignText(System.Text.Encoding.UTF8.GetBytes(script), armour);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = signature.Length;
        await context.Response.Body.WriteAsync(signature);
    }

    private static async Task<string?> RenderIpxeAsync(HttpContext context, ServerState state)
    {
        var query = context.Request.QueryString.Value ?? "";
        var labels = HttpLabels.FromQuery(query.StartsWith('?') ? query[1..] : query);
        try
        {
            var profile = await GroupSelection.SelectProfileAsync(state.Store, labels, context.RequestAborted);
            return IpxeScript.Render(profile.Boot, state.IpxeStyle);
        }
        catch (NoMatchException)
        {
            return null;
        }
    }
}
