namespace XenMatchbox.IntegrationTests;

/// <summary>
/// The corpus's own packet reader and writer (<see cref="OpenPgpPackets"/>), on which every edited
/// case stands: GnuPG's files read back byte for byte, both header formats with each length form,
/// partial body lengths, and armour GnuPG reads.
/// </summary>
[Collection(OpenPgpCorpusCollection.Name)]
public sealed class OpenPgpPacketTests(OpenPgpCorpus corpus)
{
    [Fact]
    public void GnuPGs_exports_and_signatures_are_read_and_written_back_byte_for_byte()
    {
        var m = corpus.Material;
        foreach (var file in new[] { m.Rsa.Export, m.Sub.Export, m.Ed.Export, m.Expired.Export, m.RsaSignature, m.SubSignature })
        {
            Assert.Equal(Convert.ToHexString(file), Convert.ToHexString(OpenPgpPackets.Write(OpenPgpPackets.Parse(file))));
        }
        var sub = m.Sub.Packets();
        Assert.Equal([Packet.PublicKey, Packet.UserId, Packet.Signature, Packet.PublicSubkey, Packet.Signature, Packet.PublicSubkey, Packet.Signature], sub.Select(p => p.Tag));
        Assert.Equal(m.Sub.Fingerprint, Convert.ToHexString(sub[0].Fingerprint()));
        Assert.Equal(m.SubSigning, Convert.ToHexString(sub[CertEdit.KeyIndex(sub, m.SubSigning)].Fingerprint()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(191)]
    [InlineData(192)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(8383)]
    [InlineData(8384)]
    [InlineData(70000)]
    public void Both_header_formats_carry_each_length(int length)
    {
        var body = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
        foreach (var old in new[] { true, false })
        {
            var packet = new Packet(11, body, old);

            var read = OpenPgpPackets.Parse(packet.Encode()).Single();

            Assert.Equal((11, old), (read.Tag, read.OldFormat));
            Assert.True(body.AsSpan().SequenceEqual(read.Body));
        }
    }

    [Fact]
    public void Partial_body_lengths_are_joined()
    {
        var body = Enumerable.Range(0, 512 + 10).Select(i => (byte)i).ToArray();
        // New format, tag 11: a 512-byte part (0xE9 = 224 + 9), then the last 10 bytes.
        byte[] encoded = [0xC0 | 11, 0xE9, .. body[..512], 10, .. body[512..]];

        var read = OpenPgpPackets.Parse(encoded).Single();

        Assert.True(body.AsSpan().SequenceEqual(read.Body));
    }

    [Fact]
    public void Armour_is_what_GnuPG_dearmours_and_reads_back()
    {
        var key = corpus.Material.Rsa.Export;

        var armoured = OpenPgpPackets.Armour(key, "PUBLIC KEY BLOCK");

        Assert.Equal(Convert.ToHexString(key), Convert.ToHexString(OpenPgpPackets.Dearmour(armoured)));
        Assert.Equal(Convert.ToHexString(key), Convert.ToHexString(corpus.Material.Gpg.Run(armoured, "--dearmor")));
    }

    [Fact]
    public void A_stream_that_runs_past_its_end_does_not_parse()
    {
        var signature = corpus.Material.RsaSignature;

        Assert.Throws<FormatException>(() => OpenPgpPackets.Parse(signature[..^1]));
        Assert.Throws<FormatException>(() => OpenPgpPackets.Parse([0x00, .. signature]));
    }
}
