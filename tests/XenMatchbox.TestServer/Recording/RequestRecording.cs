namespace XenMatchbox.TestServer;

/// <summary>Middleware that counts each request by path and, on HTTP, the body bytes written.</summary>
internal static class RequestRecording
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(RequestCounters counters, bool countBody) =>
        async (context, next) =>
        {
            var counter = counters.Begin(context.Request.Path.Value ?? "/");
            if (countBody)
            {
                // Setting Body routes every write, including sendfile, through the counting stream.
                context.Response.Body = new CountingStream(context.Response.Body, counter);
            }
            await next(context);
        };
}
