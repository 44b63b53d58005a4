using System.Buffers;
using System.Security.Cryptography;

namespace NovaBrain.Auth.ApiKeys;

/// <summary>Random text over <c>[0-9A-Za-z]</c>: the random parts of API keys and client secrets.</summary>
public static class Base62
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly SearchValues<char> Characters = SearchValues.Create(Alphabet);

    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    public static bool IsBase62(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(Characters);
}
