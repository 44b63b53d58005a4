using System.Buffers.Text;
using System.Text.Json;

namespace NovaBrain.ModelRegistry.Search;

/// <summary>A page token that cannot be decoded, was altered, or was issued for a different order_by.</summary>
public sealed class InvalidPageTokenException(string reason) : Exception($"invalid page token: {reason}");

/// <summary>
/// Opaque cursors: base64url JSON of the order they were issued for and the last row's sort key values (its
/// unique key last). Not signed: a forged token can only point at another position of the same filtered query.
/// </summary>
internal static class PageToken
{
    private sealed record Cursor(string Order, JsonElement[] After);

    public static string Encode(string order, IReadOnlyList<object?> values, IReadOnlyList<Type> types) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(
            new Cursor(order, [.. values.Select((value, i) => JsonSerializer.SerializeToElement(value, types[i]))])));

    public static IReadOnlyList<object?> Decode(string token, string order, IReadOnlyList<Type> types)
    {
        Cursor? cursor;
        try
        {
            cursor = JsonSerializer.Deserialize<Cursor>(Base64Url.DecodeFromChars(token));
        }
        catch (Exception exception) when (exception is FormatException or JsonException)
        {
            throw new InvalidPageTokenException("it is not a token this service issued");
        }

        if (cursor?.Order is null || cursor.After is null || cursor.After.Length != types.Count)
        {
            throw new InvalidPageTokenException("it is not a token this service issued");
        }

        if (cursor.Order != order)
        {
            throw new InvalidPageTokenException("it was issued for a different order_by; start again without a page token");
        }

        try
        {
            return [.. cursor.After.Select((value, i) => value.Deserialize(types[i]) ?? throw new JsonException("a sort value is null"))];
        }
        catch (Exception exception) when (exception is JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidPageTokenException("its sort values do not match the order's fields");
        }
    }
}
