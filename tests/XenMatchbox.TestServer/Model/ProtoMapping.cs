using System.Text;
using Google.Protobuf;
using XenMatchbox.Matchbox.Storage;

namespace XenMatchbox.TestServer;

/// <summary>The public model as the wire messages of matchbox's storagepb package.</summary>
internal static class ProtoMapping
{
    public static Group ToProto(MatchboxGroup group)
    {
        var proto = new Group
        {
            Id = group.Id,
            Name = group.Name,
            Profile = group.Profile,
            Metadata = ByteString.CopyFrom(Encoding.UTF8.GetBytes(group.Metadata)),
        };
        foreach (var (key, value) in group.Selector)
        {
            proto.Selector[key] = value;
        }
        return proto;
    }

    public static Profile ToProto(MatchboxProfile profile)
    {
        var proto = new Profile
        {
            Id = profile.Id,
            Name = profile.Name,
            IgnitionId = profile.IgnitionId,
            CloudId = profile.CloudId,
            GenericId = profile.GenericId,
        };
        if (profile.Boot is { } boot)
        {
            proto.Boot = new NetBoot { Kernel = boot.Kernel };
            proto.Boot.Initrd.Add(boot.Initrd);
            proto.Boot.Args.Add(boot.Args);
        }
        return proto;
    }
}
