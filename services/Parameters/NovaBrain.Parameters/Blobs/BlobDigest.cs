using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace NovaBrain.Parameters.Blobs;

/// <summary>A blob's name: the SHA-256 of its bytes, written <c>sha256:&lt;64 lower-case hex digits&gt;</c>.</summary>
public readonly partial record struct BlobDigest
{
    public const string Algorithm = "sha256";
    public const string Format = "sha256:<64 lower-case hex digits>";
    public const int MaxLength = 71;

    private BlobDigest(string hex) => Hex = hex;

    /// <summary>The 64 lower-case hex digits.</summary>
    public string Hex { get; }

    public static BlobDigest FromHash(ReadOnlySpan<byte> sha256) => new(Convert.ToHexStringLower(sha256));

    public static bool TryParse([NotNullWhen(true)] string? value, out BlobDigest digest)
    {
        if (value is not null && Pattern().IsMatch(value))
        {
            digest = new BlobDigest(value[(Algorithm.Length + 1)..]);
            return true;
        }

        digest = default;
        return false;
    }

    public static BlobDigest Parse(string value) =>
        TryParse(value, out var digest) ? digest : throw new FormatException($"'{value}' is not a digest ({Format}).");

    public override string ToString() => $"{Algorithm}:{Hex}";

    [GeneratedRegex("^sha256:[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
