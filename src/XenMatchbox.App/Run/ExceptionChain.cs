using Microsoft.FSharp.Collections;
using XenMatchbox.Domain;

namespace XenMatchbox.App;

/// <summary>An exception and those under it, as the Domain's classifiers read them (GrpcFailure, HttpFailure).</summary>
internal static class ExceptionChain
{
    /// <summary>The exception and each one under it, outermost first: its type's name and its message.</summary>
    public static FSharpList<GrpcFailure.Cause> Causes(Exception? e)
    {
        var causes = new List<GrpcFailure.Cause>();
        for (; e is not null; e = e.InnerException)
        {
            causes.Add(new GrpcFailure.Cause(e.GetType().Name, e.Message));
        }
        return ListModule.OfSeq(causes);
    }
}
