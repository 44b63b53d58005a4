namespace NovaBrain.ModelServing.Engines;

/// <summary>A model could not be loaded by any allowed execution provider; the message says why, per provider.</summary>
public sealed class EngineLoadException(string message, Exception? inner = null) : Exception(message, inner);
