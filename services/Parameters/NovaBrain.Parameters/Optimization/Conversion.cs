namespace NovaBrain.Parameters.Optimization;

/// <summary>What a version's float32 tensors are converted to, and (for int8) how many scales each gets.</summary>
public sealed record Conversion(string To, string? Granularity)
{
    public const string Float16 = "float16";
    public const string Int8 = "int8";
    public const string PerTensor = "per-tensor";
    public const string PerChannel = "per-channel";

    public bool IsPerChannel => Granularity == PerChannel;

    /// <summary>The tag value naming the conversion: <c>float16</c>, <c>int8-per-tensor</c>, <c>int8-per-channel</c>.</summary>
    public override string ToString() => Granularity is null ? To : $"{To}-{Granularity}";

    /// <summary>The conversion a request asks for, or the errors that make it invalid.</summary>
    public static Conversion? Parse(string? to, string? granularity, out Dictionary<string, string[]> errors)
    {
        errors = [];
        switch (to)
        {
            case Float16 when granularity is null:
                return new Conversion(Float16, null);
            case Float16:
                errors["granularity"] = ["float16 conversion has no granularity."];
                return null;
            case Int8 when granularity is null or PerTensor or PerChannel:
                return new Conversion(Int8, granularity ?? PerTensor);
            case Int8:
                errors["granularity"] = [$"int8 granularity is '{PerTensor}' (the default) or '{PerChannel}' (a scale per index of axis 0)."];
                return null;
            default:
                errors["to"] = [$"'to' is '{Float16}' or '{Int8}'."];
                return null;
        }
    }
}

/// <summary>One converted tensor: its new dtype and how far its dequantized values lie from the originals.</summary>
public sealed record ConvertedTensor(string Name, string FromDtype, string ToDtype, long Elements, double MaxAbsError, double MeanAbsError);

/// <summary>Accumulates |converted - original| over a tensor's elements.</summary>
public sealed class ErrorStatistics
{
    public double Max { get; private set; }

    public double Sum { get; private set; }

    public long Count { get; private set; }

    public double Mean => Count == 0 ? 0 : Sum / Count;

    public void Add(double original, double converted)
    {
        var error = Math.Abs(converted - original);
        Max = Math.Max(Max, error);
        Sum += error;
        Count++;
    }
}
