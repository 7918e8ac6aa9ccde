using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace XenMatchbox.IntegrationTests;

/// <summary>
/// One OpenPGP packet (RFC 4880 §4): its tag, its body, and whether its header was of the old
/// format (what <c>gpg --export</c> writes for the tags below 16), which a file put together again
/// keeps (with the shortest length octets).
/// </summary>
public sealed record Packet(int Tag, byte[] Body, bool OldFormat = true)
{
    public const int Signature = 2;
    public const int PublicKey = 6;
    public const int UserId = 13;
    public const int PublicSubkey = 14;

    public bool IsKey => Tag is PublicKey or PublicSubkey;

    /// <summary>The header and the body.</summary>
    public byte[] Encode()
    {
        using var output = new MemoryStream();
        if (OldFormat && Tag < 16)
        {
            var length = Body.Length;
            if (length < 256)
            {
                output.WriteByte((byte)(0x80 | (Tag << 2)));
                output.WriteByte((byte)length);
            }
            else if (length < 65536)
            {
                output.WriteByte((byte)(0x80 | (Tag << 2) | 1));
                output.WriteByte((byte)(length >> 8));
                output.WriteByte((byte)length);
            }
            else
            {
                output.WriteByte((byte)(0x80 | (Tag << 2) | 2));
                output.Write(BigEndian(length));
            }
        }
        else
        {
            output.WriteByte((byte)(0xC0 | Tag));
            output.Write(OpenPgpPackets.NewFormatLength(Body.Length));
        }
        output.Write(Body);
        return output.ToArray();
    }

    private static byte[] BigEndian(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    /// <summary>Of a key packet (v4): the fingerprint, SHA-1 over 0x99, the body's length and the body.</summary>
#pragma warning disable CA5350 // A v4 fingerprint is SHA-1 by definition (RFC 4880 §12.2): a name, not a security check.
    public byte[] Fingerprint() => SHA1.HashData(OpenPgpPackets.KeyHashInput(Body));
#pragma warning restore CA5350

    /// <summary>Of a key packet: the key id, the fingerprint's last 8 bytes, as 16 hex digits.</summary>
    public string KeyId() => Convert.ToHexString(Fingerprint()[^8..]);

    /// <summary>Of a signature packet (v4): its type (0x00 binary, 0x13 user-ID certification, 0x18 binding, …).</summary>
    public int SignatureType => Body[1];

    public override string ToString() => $"tag {Tag}, {Body.Length} bytes";
}

/// <summary>
/// Reads and writes OpenPGP packet streams for tests that cut, append and reorder packets of key
/// files and signatures: both header formats, armour in and out.
/// </summary>
public static class OpenPgpPackets
{
    /// <summary>The packets of <paramref name="bytes"/> (binary or armoured); FormatException when they do not parse.</summary>
    public static List<Packet> Parse(byte[] bytes)
    {
        var data = Dearmour(bytes);
        var packets = new List<Packet>();
        var at = 0;
        while (at < data.Length)
        {
            var header = data[at++];
            if ((header & 0x80) == 0) throw new FormatException($"byte {at - 1} is not a packet header");
            int tag;
            long length;
            if ((header & 0x40) == 0)
            {
                tag = (header >> 2) & 0x0F;
                switch (header & 3)
                {
                    case 0: length = Need(data, at, 1)[0]; at += 1; break;
                    case 1: length = BinaryPrimitives.ReadUInt16BigEndian(Need(data, at, 2)); at += 2; break;
                    case 2: length = BinaryPrimitives.ReadUInt32BigEndian(Need(data, at, 4)); at += 4; break;
                    default: length = data.Length - at; break;
                }
                packets.Add(new Packet(tag, Need(data, at, length).ToArray(), OldFormat: true));
                at += (int)length;
                continue;
            }
            tag = header & 0x3F;
            using var body = new MemoryStream();
            while (true)
            {
                var first = Need(data, at, 1)[0];
                if (first < 192)
                {
                    length = first;
                    at += 1;
                }
                else if (first < 224)
                {
                    length = ((first - 192) << 8) + Need(data, at + 1, 1)[0] + 192;
                    at += 2;
                }
                else if (first == 255)
                {
                    length = BinaryPrimitives.ReadUInt32BigEndian(Need(data, at + 1, 4));
                    at += 5;
                }
                else
                {
                    // A partial body length: this part, then another length.
                    var part = 1 << (first & 0x1F);
                    at += 1;
                    body.Write(Need(data, at, part));
                    at += part;
                    continue;
                }
                body.Write(Need(data, at, length));
                at += (int)length;
                break;
            }
            packets.Add(new Packet(tag, body.ToArray(), OldFormat: false));
        }
        return packets;
    }

    private static ReadOnlySpan<byte> Need(byte[] data, int at, long count)
    {
        if (count < 0 || at + count > data.Length) throw new FormatException($"a packet runs past the end ({count} bytes at {at} of {data.Length})");
        return data.AsSpan(at, (int)count);
    }

    /// <summary>The packets, one after another.</summary>
    public static byte[] Write(IEnumerable<Packet> packets) => [.. packets.SelectMany(p => p.Encode())];

    /// <summary>The new-format length octets for <paramref name="length"/>.</summary>
    public static byte[] NewFormatLength(int length) => length switch
    {
        < 192 => [(byte)length],
        < 8384 => [(byte)(((length - 192) >> 8) + 192), (byte)((length - 192) & 0xFF)],
        _ => [0xFF, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length],
    };

    /// <summary>What a key packet's body contributes to a hash: 0x99, its two-octet length, the body.</summary>
    public static byte[] KeyHashInput(byte[] keyBody) => [0x99, (byte)(keyBody.Length >> 8), (byte)keyBody.Length, .. keyBody];

    /// <summary>The binary packets of an armoured file (the bytes as they are when not armoured).</summary>
    public static byte[] Dearmour(byte[] bytes)
    {
        var text = Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 64));
        if (!text.TrimStart().StartsWith("-----BEGIN PGP ", StringComparison.Ordinal)) return bytes;
        var lines = Encoding.ASCII.GetString(bytes).Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.StartsWith("-----BEGIN PGP ", StringComparison.Ordinal));
        var blank = lines.FindIndex(start, l => l.Length == 0);
        var end = lines.FindIndex(blank, l => l.StartsWith("-----END PGP ", StringComparison.Ordinal));
        if (blank < 0 || end < 0) throw new FormatException("broken armour");
        var base64 = string.Concat(lines.Skip(blank + 1).Take(end - blank - 1).Where(l => !l.StartsWith('=')));
        return Convert.FromBase64String(base64);
    }

    /// <summary>ASCII armour (RFC 4880 §6) of <paramref name="binary"/>: "PUBLIC KEY BLOCK" or "SIGNATURE".</summary>
    public static byte[] Armour(byte[] binary, string kind)
    {
        var text = new StringBuilder();
        text.Append($"-----BEGIN PGP {kind}-----\n\n");
        var base64 = Convert.ToBase64String(binary);
        for (var i = 0; i < base64.Length; i += 64) text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        var crc = Crc24(binary);
        text.Append('=').Append(Convert.ToBase64String([(byte)(crc >> 16), (byte)(crc >> 8), (byte)crc])).Append('\n');
        text.Append($"-----END PGP {kind}-----\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static int Crc24(byte[] data)
    {
        var crc = 0xB704CE;
        foreach (var b in data)
        {
            crc ^= b << 16;
            for (var i = 0; i < 8; i++)
            {
                crc <<= 1;
                if ((crc & 0x1000000) != 0) crc ^= 0x1864CFB;
            }
        }
        return crc & 0xFFFFFF;
    }
}

/// <summary>
/// A v4 signature packet's body taken apart (RFC 4880 §5.2.3): the hashed and unhashed subpacket
/// areas as bytes, and what follows them (the hash's left 16 bits and the MPIs).
/// </summary>
public sealed record SignatureBody(int Version, int Type, int PublicKeyAlgorithm, int HashAlgorithm, byte[] Hashed, byte[] Unhashed, byte[] Rest)
{
    public static SignatureBody Parse(byte[] body)
    {
        if (body.Length < 6 || body[0] != 4) throw new FormatException("not a v4 signature");
        var hashedLength = (body[4] << 8) | body[5];
        var hashed = body[6..(6 + hashedLength)];
        var at = 6 + hashedLength;
        var unhashedLength = (body[at] << 8) | body[at + 1];
        var unhashed = body[(at + 2)..(at + 2 + unhashedLength)];
        return new SignatureBody(body[0], body[1], body[2], body[3], hashed, unhashed, body[(at + 2 + unhashedLength)..]);
    }

    public byte[] Encode() =>
        [(byte)Version, (byte)Type, (byte)PublicKeyAlgorithm, (byte)HashAlgorithm,
         (byte)(Hashed.Length >> 8), (byte)Hashed.Length, .. Hashed,
         (byte)(Unhashed.Length >> 8), (byte)Unhashed.Length, .. Unhashed, .. Rest];

    /// <summary>The subpackets of an area: (type without the critical bit, critical, data).</summary>
    public static List<(int Type, bool Critical, byte[] Data)> Subpackets(byte[] area)
    {
        var list = new List<(int, bool, byte[])>();
        var at = 0;
        while (at < area.Length)
        {
            int length;
            if (area[at] < 192) { length = area[at]; at += 1; }
            else if (area[at] < 255) { length = ((area[at] - 192) << 8) + area[at + 1] + 192; at += 2; }
            else { length = BinaryPrimitives.ReadInt32BigEndian(area.AsSpan(at + 1, 4)); at += 5; }
            list.Add((area[at] & 0x7F, (area[at] & 0x80) != 0, area[(at + 1)..(at + length)]));
            at += length;
        }
        return list;
    }
}
