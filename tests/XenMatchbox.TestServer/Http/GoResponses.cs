using System.Text;

namespace XenMatchbox.TestServer;

/// <summary>Responses as Go's net/http writes them, which clients of matchbox see.</summary>
internal static class GoResponses
{
    // Go sniffs the type of a text body it was not told the type of.
    public const string PlainText = "text/plain; charset=utf-8";

    /// <summary>http.NotFound: status 404, body "404 page not found\n".</summary>
    public static Task NotFoundAsync(HttpContext context) =>
        TextAsync(context, StatusCodes.Status404NotFound, "404 page not found\n", nosniff: true);

    public static Task TextAsync(HttpContext context, int statusCode, string body, bool nosniff = false)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = PlainText;
        if (nosniff)
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
        }
        // Go buffers a short body and so declares its length.
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes).AsTask();
    }
}
