namespace IlgpuCnn.Data;

/// <summary>
/// One image's augmentation: horizontal flip (1 = flip, 0 = not), rotation angle in radians
/// (counter-clockwise in Keras' sense), and zoom = scale of the sampled area (1 + u, u in
/// [−0.15, 0.15]; above 1 zooms OUT, as Keras RandomZoom with a positive factor).
/// </summary>
public readonly struct AugmentParams
{
    public AugmentParams(int flip, float angle, float zoom)
    {
        Flip = flip;
        Angle = angle;
        Zoom = zoom;
    }

    /// <summary>The parameters that give the image back unchanged.</summary>
    public static AugmentParams Identity => new(0, 0f, 1f);

    public int Flip { get; }

    public float Angle { get; }

    public float Zoom { get; }

    public override string ToString() => $"flip {Flip}, angle {Angle:F4} rad, zoom {Zoom:F4}";
}
