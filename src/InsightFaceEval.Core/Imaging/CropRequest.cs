using System;
using System.Collections.Generic;
using System.Linq;
using InsightFaceEval.Faces;

namespace InsightFaceEval.Imaging
{
    /// <summary>
    /// The boxes of one input record, as New-FaceCrop binds them: <see cref="BoundingBox"/> wins (four numbers per box in
    /// <see cref="BoxFormat"/>), then the corners X1/Y1/X2/Y2, then X/Y/Width/Height. Landmarks (ten per box) and the
    /// score go with every box.
    /// </summary>
    public sealed class CropRecordBoxes
    {
        public double[] BoundingBox { get; set; }

        public BoxFormat BoxFormat { get; set; }

        public double? X1 { get; set; }

        public double? Y1 { get; set; }

        public double? X2 { get; set; }

        public double? Y2 { get; set; }

        public double? X { get; set; }

        public double? Y { get; set; }

        public double? Width { get; set; }

        public double? Height { get; set; }

        public float[] Landmarks { get; set; }

        public float? Score { get; set; }

        /// <summary>The record's faces (none when it names no box). Throws <see cref="FormatException"/> for numbers that do not make boxes.</summary>
        public List<FaceDetection> ToFaces()
        {
            if (BoundingBox != null && BoundingBox.Length > 0)
            {
                return FaceDetection.FromFlatList(BoundingBox, BoxFormat, Landmarks, Score);
            }

            if (X1.HasValue || Y1.HasValue || X2.HasValue || Y2.HasValue)
            {
                if (!(X1.HasValue && Y1.HasValue && X2.HasValue && Y2.HasValue)) { throw new FormatException("A box given by corners needs all of X1, Y1, X2 and Y2."); }
                return FaceDetection.FromFlatList(new[] { X1.Value, Y1.Value, X2.Value, Y2.Value }, BoxFormat.XYXY, Landmarks, Score);
            }

            if (X.HasValue || Y.HasValue || Width.HasValue || Height.HasValue)
            {
                if (!(X.HasValue && Y.HasValue && Width.HasValue && Height.HasValue)) { throw new FormatException("A box given by position and size needs all of X, Y, Width and Height."); }
                return FaceDetection.FromFlatList(new[] { X.Value, Y.Value, Width.Value, Height.Value }, BoxFormat.XYWH, Landmarks, Score);
            }

            return new List<FaceDetection>();
        }
    }

    /// <summary>
    /// New-FaceCrop's input made into image jobs, in input order. Faces of one image that arrive as consecutive records
    /// (Find-Face's output, a sorted CSV) make one job. Without a dataset root every image waits until
    /// <see cref="Complete"/>: the root is then the sources' common parent, and records of one image anywhere in the
    /// input make one job, so the face selection sees all its faces. With a root, jobs stream, and an image that comes
    /// back later goes on numbering its faces, so no crop name repeats. Not thread-safe: one pipeline thread fills it.
    /// </summary>
    public sealed class CropRequest
    {
        private readonly PathStyle _style;
        private readonly IdentityMap _identityMap;
        private readonly List<PendingImage> _buffered = new List<PendingImage>();
        private readonly Dictionary<string, PendingImage> _bufferedByPath;
        private readonly Dictionary<string, int> _facesSeen;
        private readonly HashSet<string> _written;
        private readonly Queue<CropJob> _ready = new Queue<CropJob>();
        private PendingImage _open;

        /// <param name="datasetRoot">Full path the sources are kept relative to, or null for their common parent.</param>
        /// <param name="identityMap">Names each face's identity, or null: the identity is the source's folder.</param>
        /// <param name="style">How paths compare; default the running system's.</param>
        public CropRequest(string datasetRoot, IdentityMap identityMap = null, PathStyle style = null)
        {
            _style = style ?? PathStyle.Current;
            DatasetRoot = datasetRoot;
            _identityMap = identityMap;
            _bufferedByPath = new Dictionary<string, PendingImage>(_style.Comparer);
            _facesSeen = new Dictionary<string, int>(_style.Comparer);
            _written = new HashSet<string>(_style.Comparer);
        }

        private sealed class PendingImage
        {
            public string SourcePath;
            public List<FaceDetection> Faces = new List<FaceDetection>();
        }

        /// <summary>The root the sources are relative to; null until <see cref="Complete"/> when it is their common parent.</summary>
        public string DatasetRoot { get; private set; }

        /// <summary>How many images there are, once known (the buffered images at <see cref="Complete"/>); -1 before.</summary>
        public int Total { get; private set; } = -1;

        /// <summary>
        /// One input record: the faces it names for each of its files (several when a wildcard matched several).
        /// Returns the problems of the record: numbers that make no box are an InvalidBox problem for each file.
        /// </summary>
        public IReadOnlyList<Problem> Add(IReadOnlyList<string> files, CropRecordBoxes boxes)
        {
            if (files == null) { throw new ArgumentNullException(nameof(files)); }
            if (files.Count == 0) { return Array.Empty<Problem>(); }
            List<FaceDetection> faces;
            try
            {
                faces = (boxes ?? new CropRecordBoxes()).ToFaces();
            }
            catch (FormatException ex)
            {
                return files.Select(f => CropProblems.Create(CropProblem.InvalidBox, ex.Message, f, ex)).ToList();
            }

            foreach (var file in files)
            {
                if (_open != null && !string.Equals(_open.SourcePath, file, _style.Comparison)) { Close(); }
                if (_open == null) { _open = new PendingImage { SourcePath = file }; }
                _open.Faces.AddRange(faces);
            }

            return Array.Empty<Problem>();
        }

        /// <summary>One image with all its faces at once (a detections file's entry).</summary>
        public void AddImage(string sourcePath, IReadOnlyList<FaceDetection> faces)
        {
            Close();
            _open = new PendingImage { SourcePath = sourcePath };
            if (faces != null) { _open.Faces.AddRange(faces); }
            Close();
        }

        /// <summary>The end of the input: the image still open and every waiting image become jobs.</summary>
        public void Complete()
        {
            Close();
            if (DatasetRoot != null || _buffered.Count == 0) { return; }
            DatasetRoot = DatasetPaths.CommonParent(_buffered.Select(b => b.SourcePath), _style);
            Total = _buffered.Count;
            foreach (var image in _buffered) { Enqueue(image); }
            _buffered.Clear();
            _bufferedByPath.Clear();
        }

        /// <summary>The next job ready to run, in input order.</summary>
        public bool TryTakeReady(out CropJob job)
        {
            if (_ready.Count == 0)
            {
                job = null;
                return false;
            }

            job = _ready.Dequeue();
            return true;
        }

        /// <summary>
        /// Claims <paramref name="crop"/>'s file for this run: null, or a DuplicateOutput problem (about
        /// <paramref name="sourcePath"/>) when another image of this run already wrote it (two sources in one folder
        /// that differ only in extension).
        /// </summary>
        public Problem ClaimOutput(FaceCrop crop, string sourcePath)
        {
            if (_written.Add(crop.Path)) { return null; }
            return CropProblems.Create(
                CropProblem.DuplicateOutput,
                $"'{crop.Path}' was already written in this run from another image with the same name; rename one of the sources or use separate runs.",
                sourcePath);
        }

        private void Close()
        {
            if (_open == null) { return; }
            var image = _open;
            _open = null;
            if (DatasetRoot != null)
            {
                Enqueue(image);
                return;
            }

            if (_bufferedByPath.TryGetValue(image.SourcePath, out var earlier))
            {
                earlier.Faces.AddRange(image.Faces);
                return;
            }

            _bufferedByPath[image.SourcePath] = image;
            _buffered.Add(image);
        }

        private void Enqueue(PendingImage image)
        {
            _facesSeen.TryGetValue(image.SourcePath, out var firstIndex);
            _facesSeen[image.SourcePath] = firstIndex + image.Faces.Count;
            var relative = DatasetPaths.Relative(DatasetRoot, image.SourcePath, _style);
            _ready.Enqueue(new CropJob(image.SourcePath, relative, DatasetPaths.IdentityOf(image.SourcePath, _style), image.Faces)
            {
                FirstFaceIndex = firstIndex,
                FaceIdentities = _identityMap == null ? null : image.Faces.Select(f => _identityMap.Find(image.SourcePath, relative, f)).ToList(),
            });
        }
    }
}
