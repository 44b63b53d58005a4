using System.ComponentModel.DataAnnotations;

namespace NovaBrain.ModelRegistry.Validation;

/// <summary>Bound from <c>Registry:Validation</c>: how ONNX models are checked on registration.</summary>
public sealed class ValidationOptions : IValidatableObject
{
    public const string SectionName = "Registry:Validation";

    /// <summary>The lowest default-domain opset accepted.</summary>
    [Range(1, 1000)]
    public long MinOpset { get; set; } = 7;

    /// <summary>The highest default-domain opset accepted: what the ONNX Runtime in use implements.</summary>
    [Range(1, 1000)]
    public long MaxOpset { get; set; } = 23;

    /// <summary>Try the CUDA execution provider first, falling back to the CPU when it cannot be used.</summary>
    public bool UseCuda { get; set; }

    public IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinOpset > MaxOpset)
        {
            yield return new($"{nameof(MinOpset)} is at most {nameof(MaxOpset)}.", [nameof(MinOpset), nameof(MaxOpset)]);
        }
    }
}
