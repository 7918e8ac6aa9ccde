using Grpc.Core;
using XenMatchbox.Matchbox.Rpc;
using XenMatchbox.Matchbox.Server;

namespace XenMatchbox.TestServer;

/// <summary>
/// rpcpb.Select with matchbox's status codes: NOT_FOUND with its exact messages when nothing
/// matches; UNKNOWN with the store's error text when SelectGroup cannot list the groups.
/// Labels are used exactly as sent: gRPC does no MAC normalisation. Each call's labels are recorded
/// first, whatever the outcome, so tests can see what a client sent.
/// </summary>
internal sealed class SelectService(ServerState state) : Select.SelectBase
{
    public override async Task<SelectGroupResponse> SelectGroup(SelectGroupRequest request, ServerCallContext context)
    {
        Record(request.Labels);
        AnswerIfSet();
        try
        {
            var group = await GroupSelection.SelectGroupAsync(state.Store, request.Labels, context.CancellationToken);
            return new SelectGroupResponse { Group = ProtoMapping.ToProto(group) };
        }
        catch (NoMatchException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException and not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Unknown, e.Message));
        }
    }

    public override async Task<SelectProfileResponse> SelectProfile(SelectProfileRequest request, ServerCallContext context)
    {
        Record(request.Labels);
        AnswerIfSet();
        try
        {
            var profile = await GroupSelection.SelectProfileAsync(state.Store, request.Labels, context.CancellationToken);
            return new SelectProfileResponse { Profile = ProtoMapping.ToProto(profile) };
        }
        catch (NoMatchException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
    }

    // The status a test set in place of every answer (MatchboxTestServer.SelectAnswer).
    private void AnswerIfSet()
    {
        if (state.SelectAnswer is { } status)
        {
            throw new RpcException(status);
        }
    }

    // A read-only copy: the request's map belongs to the call.
    private void Record(IDictionary<string, string> labels) =>
        state.Labels.Add(new Dictionary<string, string>(labels, StringComparer.Ordinal).AsReadOnly());
}
