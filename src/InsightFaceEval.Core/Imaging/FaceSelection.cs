namespace InsightFaceEval.Imaging
{
    /// <summary>How four numbers describe a box.</summary>
    public enum BoxFormat
    {
        /// <summary>x, y, width, height (the vendor helper's and Find-Face's convention).</summary>
        XYWH = 0,

        /// <summary>x1, y1, x2, y2: left, top, right, bottom (the usual detector output).</summary>
        XYXY = 1,
    }

    /// <summary>
    /// Which of an image's faces are used: New-FaceCrop crops them, Get-FaceEmbedding embeds the one face it picks.
    /// <see cref="Faces.FaceSelectionRule"/> applies it.
    /// </summary>
    public enum FaceSelection
    {
        /// <summary>Every face.</summary>
        All = 0,

        /// <summary>Only the face with the largest box area.</summary>
        Largest = 1,

        /// <summary>The face InsightFace's detector ranks first: box area minus twice the squared distance of its centre from the image centre.</summary>
        LargestCentered = 2,

        /// <summary>Exactly one face; an image with several is an error.</summary>
        RequireOne = 3,
    }
}
