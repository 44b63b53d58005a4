using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace NovaBrain.Auth.ApiKeys;

/// <summary>
/// An API key reads <c>nbk_{prefix}_{secret}</c>: the prefix finds the stored key and may be shown, the SHA-256 of
/// the whole key proves it. The key itself is never stored.
/// </summary>
public static class ApiKeyFormat
{
    public const int PrefixLength = 8;
    public const int SecretLength = 32;

    private const string Marker = "nbk_";
    private static readonly int KeyLength = Marker.Length + PrefixLength + 1 + SecretLength;

    public static (string Key, string Prefix) Generate()
    {
        var prefix = Base62.Random(PrefixLength);
        return ($"{Marker}{prefix}_{Base62.Random(SecretLength)}", prefix);
    }

    /// <summary>The prefix of a well-formed key; false for anything else.</summary>
    public static bool TryGetPrefix(string key, [NotNullWhen(true)] out string? prefix)
    {
        prefix = null;
        if (key.Length != KeyLength || !key.StartsWith(Marker, StringComparison.Ordinal) || key[Marker.Length + PrefixLength] != '_')
        {
            return false;
        }
        var candidate = key.AsSpan(Marker.Length, PrefixLength);
        if (!Base62.IsBase62(candidate) || !Base62.IsBase62(key.AsSpan(Marker.Length + PrefixLength + 1)))
        {
            return false;
        }
        prefix = candidate.ToString();
        return true;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
