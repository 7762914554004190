BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force

    function New-NoiseImage {
        <# An RGB image of seeded noise, saved as PNG or JPEG (optionally with an EXIF orientation). #>
        param([string] $Path, [int] $Width, [int] $Height, [int] $Seed = 1, [int] $Orientation = 0, [byte[]] $Pixels)
        if (-not $Pixels) {
            $Pixels = [byte[]]::new($Width * $Height * 3)
            [Random]::new($Seed).NextBytes($Pixels)
        }
        $null = New-Item -ItemType Directory -Path (Split-Path $Path) -Force
        $image = [SixLabors.ImageSharp.Image]::LoadPixelData[SixLabors.ImageSharp.PixelFormats.Rgb24]($Pixels, $Width, $Height)
        try {
            if ($Orientation) {
                $exif = [SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile]::new()
                $exif.SetValue([SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag]::Orientation, [uint16]$Orientation)
                $image.Metadata.ExifProfile = $exif
            }
            if ($Path -like '*.png') { [SixLabors.ImageSharp.ImageExtensions]::SaveAsPng($image, $Path) }
            else { [SixLabors.ImageSharp.ImageExtensions]::SaveAsJpeg($image, $Path) }
        }
        finally { $image.Dispose() }
        $Path
    }

    function Get-PixelAt {
        param([string] $Path, [int] $X, [int] $Y)
        $image = [SixLabors.ImageSharp.Image]::Load[SixLabors.ImageSharp.PixelFormats.Rgb24]($Path)
        try { $image[$X, $Y] } finally { $image.Dispose() }
    }

    function Compare-Png {
        <# Compares crops with references through cv2: pairs of (ours, theirs) or (ours, source image, "x,y,w,h"). #>
        param([object[]] $Pairs)
        $json = Join-Path $TestDrive ("pairs-{0}.json" -f [guid]::NewGuid().ToString('N').Substring(0, 6))
        ConvertTo-Json -InputObject @($Pairs) | Set-Content -LiteralPath $json -Encoding UTF8
        $code = @'
import json, sys, cv2, numpy as np
worst = 0; exact = 0; pairs = json.load(open(sys.argv[1]))
for p in pairs:
    a = cv2.imread(p[0]).astype(int)
    b = cv2.imread(p[1])
    if len(p) > 2:
        x, y, w, h = map(int, p[2].split(','))
        b = b[y:y + h, x:x + w]
    b = b.astype(int)
    d = int(np.abs(a - b).max()) if a.shape == b.shape else 999
    worst = max(worst, d); exact += d == 0
print(json.dumps({"count": len(pairs), "exact": exact, "worst": worst}))
'@
        & (Get-TestPython) -c $code $json | ConvertFrom-Json
    }

    function Get-PngChunk {
        param([string] $Path)
        $b = [IO.File]::ReadAllBytes($Path)
        $i = 8
        while ($i + 8 -le $b.Length) {
            $length = ([int]$b[$i] -shl 24) -bor ([int]$b[$i + 1] -shl 16) -bor ([int]$b[$i + 2] -shl 8) -bor [int]$b[$i + 3]
            [Text.Encoding]::ASCII.GetString($b, $i + 4, 4)
            $i += 12 + $length
        }
    }
}

Describe 'New-FaceCrop matches the vendor helper (seed_crop.py through /usr/bin/python3 and cv2)' {
    BeforeAll {
        $script:work = Join-Path $TestDrive 'interop'
        # cv2 comes from Debian's python3-opencv; the helper is the vendor's file, never copied here.
        # Without either, the comparisons skip and say why.
        $script:noCv2 = if (-not (Test-PythonModule -Name cv2, numpy)) { 'python3-opencv and python3-numpy are not installed (apt-get install python3-opencv python3-numpy)' }
        $script:peers = Get-TestPeersPath -File 'seed_crop.py'
        $script:noHelper = if ($noCv2) { $noCv2 } elseif (-not $peers) { Get-TestPeersSkipReason -File 'seed_crop.py' }
        if ($noHelper) { return }
        $images = @(
            @{ Path = New-NoiseImage (Join-Path $work 'src/odd.png') 257 193 -Seed 11; Width = 257; Height = 193 }
            @{ Path = New-NoiseImage (Join-Path $work 'src/thin.png') 1001 67 -Seed 12; Width = 1001; Height = 67 }
            # Stored 640x480 with orientation 6: upright (as cv2 reads it and as boxes refer to it) 480x640.
            @{ Path = New-NoiseImage (Join-Path $work 'src/turned.jpg') 640 480 -Seed 13 -Orientation 6; Width = 480; Height = 640 }
        )
        $configs = @(@{ Expansion = 0.2; MaxSide = 256 }, @{ Expansion = 0.5; MaxSide = 97 }, @{ Expansion = 0.0; MaxSide = 0 })
        $random = [Random]::new(20261127)
        function New-Box([int] $W, [int] $H, [int] $Kind) {
            switch ($Kind % 6) {
                0 { $bw = $random.Next(1, $W); $bh = $random.Next(1, $H); @($random.Next(0, $W - $bw + 1), $random.Next(0, $H - $bh + 1), $bw, $bh) }  # inside
                1 { @(0, 0, $random.Next(1, $W + 1), $random.Next(1, $H + 1)) }                                                                         # at the top-left edges
                2 { $bw = $random.Next(1, $W + 1); $bh = $random.Next(1, $H + 1); @(($W - $bw), ($H - $bh), $bw, $bh) }                                   # at the bottom-right edges
                3 { @($random.Next(-$W, $W), $random.Next(-$H, $H), $random.Next(1, 2 * $W), $random.Next(1, 2 * $H)) }                              # anywhere, clamped
                4 { @($random.Next(0, $W), $random.Next(0, $H), $random.Next(1, 4), $random.Next(1, 4)) }                                            # tiny
                5 { @($random.Next(-5, 5), $random.Next(-5, 5), ($W + $random.Next(0, 50)), ($H + $random.Next(0, 50))) }                              # larger than the image
            }
        }
        $script:cases = foreach ($image in $images) {
            foreach ($config in $configs) {
                $boxes = for ($k = 0; $k -lt 45; $k++) {
                    do { $b = New-Box $image.Width $image.Height $k }
                    while ($b[0] + $b[2] -le 0 -or $b[1] + $b[3] -le 0 -or $b[0] -ge $image.Width -or $b[1] -ge $image.Height)
                    , $b
                }
                [pscustomobject]@{ image = $image.Path; expansion = $config.Expansion; max_side = $(if ($config.MaxSide) { $config.MaxSide } else { $null }); boxes = @($boxes) }
            }
        }
        $casesJson = Join-Path $work 'cases.json'
        ConvertTo-Json -InputObject @($cases) -Depth 5 | Set-Content -LiteralPath $casesJson -Encoding UTF8
        $helperPng = Join-Path $work 'helper'
        $null = New-Item -ItemType Directory -Path $helperPng -Force
        $resultJson = Join-Path $work 'helper.json'
        & (Get-TestPython) (Join-Path $PSScriptRoot 'Interop/seed_crop_reference.py') $peers $casesJson $resultJson $helperPng
        if ($LASTEXITCODE -ne 0) { throw 'The reference helper failed.' }
        # An array of several cases: 5.1 returns it whole, 7 enumerates it and the assignment collects it again.
        $script:helper = Get-Content -LiteralPath $resultJson -Raw | ConvertFrom-Json

        $script:ours = for ($c = 0; $c -lt $cases.Count; $c++) {
            $case = $cases[$c]
            $out = Join-Path $work "ours/$c"
            $crops = @($case.boxes | ForEach-Object { [pscustomobject]@{ Path = $case.image; BoundingBox = [double[]]$_ } } |
                New-FaceCrop -OutputDirectory $out -ExpansionFactor $case.expansion -MaxSide ([int]$case.max_side) -WarningAction SilentlyContinue)
            , $crops
        }
    }

    It 'was given hundreds of boxes' {
        if ($noHelper) { Set-ItResult -Skipped -Because $noHelper; return }
        ($cases | ForEach-Object { $_.boxes.Count } | Measure-Object -Sum).Sum | Should -BeGreaterOrEqual 400
    }

    It 'gives the helper''s crop box and output size for every box' {
        if ($noHelper) { Set-ItResult -Skipped -Because $noHelper; return }
        $compared = 0
        $mismatches = [Collections.Generic.List[string]]::new()
        for ($c = 0; $c -lt $cases.Count; $c++) {
            $byIndex = @{}
            foreach ($crop in $ours[$c]) { $byIndex[$crop.FaceIndex] = $crop }
            for ($b = 0; $b -lt $cases[$c].boxes.Count; $b++) {
                $expected = $helper[$c][$b]
                $crop = $byIndex[$b]
                if (-not $crop) { $mismatches.Add("case $c box ${b} ($($cases[$c].boxes[$b] -join ',')): no crop"); continue }
                $compared++
                if (($crop.CropBox -join ',') -ne ($expected.crop_box -join ',')) {
                    $mismatches.Add("case $c box ${b} ($($cases[$c].boxes[$b] -join ',')): crop box $($crop.CropBox -join ',') vs helper $($expected.crop_box -join ',')")
                }
                if ($expected.size -and "$($crop.Width)x$($crop.Height)" -ne "$($expected.size[0])x$($expected.size[1])") {
                    $mismatches.Add("case $c box ${b}: size $($crop.Width)x$($crop.Height) vs helper $($expected.size -join 'x')")
                }
            }
        }
        $mismatches | Should -BeNullOrEmpty
        $compared | Should -BeGreaterOrEqual 400
    }

    It 'keeps a side at one pixel where the helper''s own resize fails' {
        if ($noHelper) { Set-ItResult -Skipped -Because $noHelper; return }
        $failed = 0
        for ($c = 0; $c -lt $cases.Count; $c++) {
            for ($b = 0; $b -lt $cases[$c].boxes.Count; $b++) {
                if ($helper[$c][$b].error) {
                    $failed++
                    $crop = $ours[$c] | Where-Object FaceIndex -EQ $b
                    [Math]::Min($crop.Width, $crop.Height) | Should -Be 1
                }
            }
        }
        Write-Host "    boxes whose crop the helper could not resize (cv2.resize to a zero side): $failed"
    }

    It 'gives the helper''s pixels exactly, resized or not (PNG sources, and a baseline JPEG turned by EXIF)' {
        if ($noHelper) { Set-ItResult -Skipped -Because $noHelper; return }
        $pairs = for ($c = 0; $c -lt $cases.Count; $c++) {
            foreach ($crop in $ours[$c]) {
                if (-not $helper[$c][$crop.FaceIndex].error) { , @($crop.Path, (Join-Path $work "helper/${c}_$($crop.FaceIndex).png")) }
            }
        }
        $stats = Compare-Png $pairs
        Write-Host "    crops compared with the helper's: $($stats.count), identical: $($stats.exact), largest difference: $($stats.worst)"
        $stats.count | Should -BeGreaterThan 350
        $stats.worst | Should -BeLessOrEqual 1 -Because 'the documented bound is one level'
        $stats.exact | Should -Be $stats.count -Because 'the area filter follows OpenCV''s arithmetic and baseline JPEGs are decoded with libjpeg''s'
    }

    It 'decodes baseline JPEGs of every common kind exactly as cv2.imread does' {
        # cv2 only: runs without the vendor's helper.
        if ($noCv2) { Set-ItResult -Skipped -Because $noCv2; return }
        $dir = Join-Path $TestDrive 'kinds'
        $null = New-Item -ItemType Directory -Path $dir -Force
        $kinds = foreach ($size in @(@(131, 77), @(64, 48), @(17, 33))) {
            $w, $h = $size
            $png = New-NoiseImage (Join-Path $dir "src_${w}x$h.png") $w $h -Seed ($w + $h)
            $image = [SixLabors.ImageSharp.Image]::Load($png)
            try {
                foreach ($type in 'YCbCrRatio420', 'YCbCrRatio422', 'YCbCrRatio444', 'Luminance') {
                    $encoder = [SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder]::new()
                    $encoder.ColorType = $type
                    $encoder.Quality = 85
                    $file = Join-Path $dir "$type-${w}x$h.jpg"
                    [SixLabors.ImageSharp.ImageExtensions]::Save($image, $file, $encoder)
                    $file
                }
            }
            finally { $image.Dispose() }
            # libjpeg's own output, with restart markers every 3 MCUs.
            $rst = Join-Path $dir "restart-${w}x$h.jpg"
            & (Get-TestPython) -c "import cv2, sys; cv2.imwrite(sys.argv[2], cv2.imread(sys.argv[1]), [cv2.IMWRITE_JPEG_QUALITY, 80, cv2.IMWRITE_JPEG_RST_INTERVAL, 3])" $png $rst
            $rst
        }
        $random = [Random]::new(7)
        $rows = foreach ($file in $kinds) {
            $info = [SixLabors.ImageSharp.Image]::Identify($file)
            [pscustomobject]@{ Path = $file; BoundingBox = [double[]](0, 0, $info.Width, $info.Height) }
            foreach ($k in 1..8) {
                $x = $random.Next(0, $info.Width); $y = $random.Next(0, $info.Height)
                [pscustomobject]@{ Path = $file; BoundingBox = [double[]]($x, $y, $random.Next(1, $info.Width - $x + 1), $random.Next(1, $info.Height - $y + 1)) }
            }
        }
        $crops = $rows | New-FaceCrop -OutputDirectory (Join-Path $dir 'out') -ExpansionFactor 0 -MaxSide 0
        $crops.Count | Should -Be $rows.Count
        $stats = Compare-Png @($crops | ForEach-Object { , @($_.Path, $_.SourcePath, ($_.CropBox -join ',')) })
        Write-Host "    JPEG crops compared with cv2.imread: $($stats.count), identical: $($stats.exact), largest difference: $($stats.worst)"
        $stats.exact | Should -Be $stats.count
    }
}

Describe 'New-FaceCrop input' {
    BeforeAll {
        $script:root = Join-Path $TestDrive 'input'
        $script:alice = New-NoiseImage (Join-Path $root 'photos/alice/img1.png') 200 160 -Seed 1
        $script:bob = New-NoiseImage (Join-Path $root 'photos/bob/img2.png') 180 150 -Seed 2
    }

    It 'binds Find-Face''s DetectedFace shape by property name' {
        $face = [pscustomobject]@{
            PSTypeName     = 'InsightFaceEval.DetectedFace'
            Path           = $alice
            BoundingBox    = [double[]](40, 30, 100, 90)
            Landmarks      = [float[]](60, 60, 110, 60, 85, 85, 65, 105, 105, 105)
            DetectionScore = [float]0.93
        }
        $crop = $face | New-FaceCrop -OutputDirectory (Join-Path $root 'ff')
        $crop.SourcePath | Should -Be $alice
        $crop.CropBox | Should -Be @(30, 21, 120, 108)
        $crop.Landmarks | Should -Be @(30, 39, 80, 39, 55, 64, 35, 84, 75, 84)
        $crop.DetectionScore | Should -Be ([float]0.93)
        $crop.Identity | Should -Be 'alice'
        $crop.Path | Should -Exist
        $crop.PSObject.TypeNames[0] | Should -Be 'InsightFaceEval.FaceCrop'
    }

    It 'reads Import-Csv rows with X, Y, Width, Height or X1, Y1, X2, Y2 columns' {
        $csv = Join-Path $root 'detections.csv'
        @(
            [pscustomobject]@{ Path = $alice; X = '10.4'; Y = '20'; Width = '50'; Height = '60' }
            [pscustomobject]@{ Path = $bob; X = '5'; Y = '6'; Width = '40'; Height = '30' }
        ) | Export-Csv -LiteralPath $csv -NoTypeInformation -Encoding UTF8
        $crops = Import-Csv -LiteralPath $csv | New-FaceCrop -OutputDirectory (Join-Path $root 'csv1')
        $crops.Count | Should -Be 2
        $crops[0].CropBox | Should -Be @(5, 14, 60, 72)
        $crops[1].RelativePath | Should -Be 'bob/img2_0.png'

        $corners = Join-Path $root 'corners.csv'
        "path,x1,y1,x2,y2,score`n$alice,10,20,60,80,0.5`n$alice,100,100,150,150,0.8" | Set-Content -LiteralPath $corners -Encoding UTF8
        $crops = Import-Csv -LiteralPath $corners | New-FaceCrop -OutputDirectory (Join-Path $root 'csv2')
        $crops.FaceIndex | Should -Be @(0, 1)
        $crops[0].BoundingBox | Should -Be @(10, 20, 50, 60)
        $crops[1].DetectionScore | Should -Be ([float]0.8)

        $strings = Join-Path $root 'strings.csv'
        "Path,BoundingBox,Score`n$bob,`"[5, 6, 40, 30]`",0.6" | Set-Content -LiteralPath $strings -Encoding UTF8
        $crop = Import-Csv -LiteralPath $strings | New-FaceCrop -OutputDirectory (Join-Path $root 'csv3')
        $crop.BoundingBox | Should -Be @(5, 6, 40, 30)
        $crop.DetectionScore | Should -Be ([float]0.6)
    }

    It 'keeps identity folders below the common parent, or below -DatasetRoot' {
        $crops = Get-ChildItem (Join-Path $root 'photos') -Recurse -File | New-FaceCrop -OutputDirectory (Join-Path $root 'gci') -BoundingBox 20, 20, 60, 60
        ($crops.RelativePath | Sort-Object) | Should -Be @('alice/img1_0.png', 'bob/img2_0.png')
        Join-Path $root 'gci/alice/img1_0.png' | Should -Exist
        ($crops.Identity | Sort-Object) | Should -Be @('alice', 'bob')

        $rooted = New-FaceCrop -LiteralPath $alice -BoundingBox 20, 20, 60, 60 -OutputDirectory (Join-Path $root 'rooted') -DatasetRoot $root
        $rooted.RelativePath | Should -Be 'photos/alice/img1_0.png'
    }

    It 'takes several boxes at once and selects among them' {
        $two = @(@(10, 10, 30, 30), @(60, 50, 80, 90))
        $all = New-FaceCrop -Path $alice -BoundingBox $two -OutputDirectory (Join-Path $root 'multi')
        $all.FaceIndex | Should -Be @(0, 1)
        $largest = New-FaceCrop -Path $alice -BoundingBox 10, 10, 30, 30, 60, 50, 80, 90 -FaceSelection Largest -OutputDirectory (Join-Path $root 'largest')
        $largest.FaceIndex | Should -Be 1
        $largest.RelativePath | Should -Be 'img1_1.png'
        $xyxy = New-FaceCrop -Path $alice -BoundingBox 10, 10, 40, 40 -BoxFormat XYXY -OutputDirectory (Join-Path $root 'xyxy')
        $xyxy.BoundingBox | Should -Be @(10, 10, 30, 30)
    }

    It 'reads a detections file (JSON or CSV) with images relative to it' {
        $json = Join-Path $root 'photos/dets.json'
        '{ "alice/img1.png": [[10, 10, 60, 70, 0.99, 20,30,40,30,30,45,22,55,38,55]], "bob/img2.png": [[5, 5, 50, 50, 0.7], [60, 60, 120, 130, 0.9]] }' |
            Set-Content -LiteralPath $json -Encoding UTF8
        $crops = New-FaceCrop -DetectionPath $json -OutputDirectory (Join-Path $root 'dets')
        $crops.RelativePath | Should -Be @('alice/img1_0.png', 'bob/img2_0.png', 'bob/img2_1.png')
        $crops[0].BoundingBox | Should -Be @(10, 10, 50, 60)
        $crops[0].Landmarks.Count | Should -Be 10
        $crops[2].DetectionScore | Should -Be ([float]0.9)

        $csv = Join-Path $root 'photos/dets.csv'
        "image,x1,y1,x2,y2,score`nalice/img1.png,10,10,60,70,0.99" | Set-Content -LiteralPath $csv -Encoding UTF8
        (New-FaceCrop -DetectionPath $csv -OutputDirectory (Join-Path $root 'detscsv')).CropBox | Should -Be @(5, 4, 60, 72)

        $bad = Join-Path $root 'bad.json'
        '{ "a.png": [[1, 2, 3]] }' | Set-Content -LiteralPath $bad -Encoding UTF8
        { New-FaceCrop -DetectionPath $bad -OutputDirectory (Join-Path $root 'bad') -ErrorAction Stop } |
            Should -Throw -ErrorId 'NewFaceCropInvalidDetectionFile,InsightFaceEval.Commands.NewFaceCropCommand'
    }

    It 'takes a file whose name has brackets, piped in by its Path' {
        $odd = Join-Path $root 'odd/img[1].png'
        $null = New-Item -ItemType Directory -Path (Split-Path $odd) -Force
        Copy-Item -LiteralPath $alice -Destination $odd
        $crop = [pscustomobject]@{ Path = $odd; BoundingBox = [double[]](1, 1, 20, 20) } | New-FaceCrop -OutputDirectory (Join-Path $root 'brackets')
        $crop.SourcePath | Should -Be $odd
        $crop.RelativePath | Should -Be 'img[1]_0.png'
    }

    It 'crops the upright picture of an EXIF-turned JPEG, or the stored one with -IgnoreOrientation' {
        # Stored 120x80: left half red, right half blue. Orientation 6 shows it turned 90 degrees
        # clockwise: upright 80x120 with red on top and blue below.
        $w = 120; $h = 80
        $pixels = [byte[]]::new($w * $h * 3)
        for ($y = 0; $y -lt $h; $y++) {
            for ($x = 0; $x -lt $w; $x++) {
                $o = ($y * $w + $x) * 3
                if ($x -lt $w / 2) { $pixels[$o] = 255 } else { $pixels[$o + 2] = 255 }
            }
        }
        $jpeg = New-NoiseImage (Join-Path $root 'turn/six.jpg') $w $h -Orientation 6 -Pixels $pixels
        $top = New-FaceCrop -LiteralPath $jpeg -BoundingBox 10, 5, 60, 40 -ExpansionFactor 0 -OutputDirectory (Join-Path $root 'turn1')
        $top.Width, $top.Height | Should -Be @(60, 40)
        $p = Get-PixelAt $top.Path 30 20
        $p.R | Should -BeGreaterThan 200
        $p.B | Should -BeLessThan 50
        $bottom = New-FaceCrop -LiteralPath $jpeg -BoundingBox 10, 75, 60, 40 -ExpansionFactor 0 -OutputDirectory (Join-Path $root 'turn2')
        (Get-PixelAt $bottom.Path 30 20).B | Should -BeGreaterThan 200

        # Ignoring the tag, the same box (upright-only coordinates) lies in the stored 120x80 picture.
        $stored = New-FaceCrop -LiteralPath $jpeg -BoundingBox 70, 5, 40, 40 -ExpansionFactor 0 -IgnoreOrientation -OutputDirectory (Join-Path $root 'turn3')
        (Get-PixelAt $stored.Path 20 20).B | Should -BeGreaterThan 200
    }

    It 'writes 8-bit RGB PNGs with no metadata, losslessly' {
        $crop = New-FaceCrop -LiteralPath $alice -BoundingBox 10, 10, 50, 50 -MaxSide 0 -ExpansionFactor 0 -OutputDirectory (Join-Path $root 'meta')
        Get-PngChunk $crop.Path | Should -Be @('IHDR', 'IDAT', 'IEND')
        $info = [SixLabors.ImageSharp.Image]::Identify($crop.Path)
        $info.PixelType.BitsPerPixel | Should -Be 24
        (Get-PixelAt $crop.Path 7 3) | Should -Be (Get-PixelAt $alice 17 13)
    }
}

Describe 'New-FaceCrop errors, -WhatIf, -Force' {
    BeforeAll {
        $script:root = Join-Path $TestDrive 'errors'
        $script:good1 = New-NoiseImage (Join-Path $root 'in/good1.png') 100 80 -Seed 3
        $script:good2 = New-NoiseImage (Join-Path $root 'in/good2.png') 100 80 -Seed 4
        $script:big = New-NoiseImage (Join-Path $root 'in/big.png') 400 300 -Seed 5
        $script:text = Join-Path $root 'in/notes.jpg'
        Set-Content -LiteralPath $text -Value 'not a picture' -Encoding UTF8
        $script:heic = Join-Path $root 'in/phone.heic'
        [IO.File]::WriteAllBytes($heic, [byte[]](0, 0, 0, 24) + [Text.Encoding]::ASCII.GetBytes('ftypheic') + [byte[]]::new(40))
        $jpeg = [IO.File]::ReadAllBytes((New-NoiseImage (Join-Path $root 'whole.jpg') 100 80 -Seed 6))
        $script:cut = Join-Path $root 'in/cut.jpg'
        [IO.File]::WriteAllBytes($cut, $jpeg[0..($jpeg.Length / 2)])
        $script:exists = Join-Path $root 'out'
        $null = New-Item -ItemType Directory -Path $exists -Force
        Set-Content -LiteralPath (Join-Path $exists 'good2_0.png') -Value 'already here' -Encoding UTF8
    }

    It 'reports each bad input with its own ErrorId and the item, and still crops the rest' {
        $box = [double[]](10, 10, 30, 30)
        $inputs = @(
            [pscustomobject]@{ Path = $good1; BoundingBox = $box }
            [pscustomobject]@{ Path = (Join-Path $root 'in/missing.png'); BoundingBox = $box }
            [pscustomobject]@{ Path = $text; BoundingBox = $box }
            [pscustomobject]@{ Path = $cut; BoundingBox = $box }
            [pscustomobject]@{ Path = $heic; BoundingBox = $box }
            [pscustomobject]@{ Path = $big; BoundingBox = $box }
            [pscustomobject]@{ Path = $good1; BoundingBox = [double[]](10, 10, 0, 30) }
            [pscustomobject]@{ Path = $good1; BoundingBox = [double[]](500, 10, 30, 30) }
            [pscustomobject]@{ Path = $good2; BoundingBox = $box }
            [pscustomobject]@{ Path = $good1; BoundingBox = [double[]](60, 40, 20, 20) }
        )
        $crops = $inputs | New-FaceCrop -OutputDirectory $exists -MaxPixels 50000 -ErrorVariable errs -ErrorAction SilentlyContinue
        $ids = $errs | ForEach-Object { ($_.FullyQualifiedErrorId -split ',')[0] }
        # A missing file is reported as the path is resolved; the images are then cropped in input order, all of
        # good1's boxes as one image (its faces numbered 0 to 3 in input order), reported where it first came.
        $ids | Should -Be @(
            'NewFaceCropFileNotFound', 'NewFaceCropEmptyBox', 'NewFaceCropBoxOutsideImage', 'NewFaceCropNotAnImage', 'NewFaceCropCorruptImage',
            'NewFaceCropUnsupportedFormat', 'NewFaceCropImageTooLarge', 'NewFaceCropOutputExists')
        $errs[0].TargetObject | Should -Be (Join-Path $root 'in/missing.png')
        $errs[1].TargetObject | Should -Be $good1
        $errs[3].TargetObject | Should -Be $text
        $errs[5].CategoryInfo.Category | Should -Be 'InvalidType'
        $errs[6].TargetObject | Should -Be $big
        $errs[7].TargetObject | Should -Be $good2
        $crops.RelativePath | Should -Be @('good1_0.png', 'good1_3.png')
        Get-Content -LiteralPath (Join-Path $exists 'good2_0.png') | Should -Be 'already here'
    }

    It 'warns about a box mostly outside the image and crops what is inside' {
        $crop = New-FaceCrop -LiteralPath $good1 -BoundingBox -40, 10, 50, 30 -OutputDirectory (Join-Path $root 'warn') -WarningVariable warned -WarningAction SilentlyContinue
        $warned.Count | Should -Be 1
        "$warned" | Should -Match '20 ?% of the box'
        $crop.CropBox[0] | Should -Be 0
    }

    It 'refuses RequireOne images with several faces' {
        New-FaceCrop -LiteralPath $good1 -BoundingBox 1, 1, 10, 10, 20, 20, 10, 10 -FaceSelection RequireOne -OutputDirectory (Join-Path $root 'one') -ErrorVariable e -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropMultipleFaces,*'
    }

    It 'writes nothing with -WhatIf' {
        $out = Join-Path $root 'whatif'
        $result = New-FaceCrop -LiteralPath $good1, $good2 -BoundingBox 10, 10, 30, 30 -OutputDirectory $out -WhatIf
        $result | Should -BeNullOrEmpty
        $out | Should -Not -Exist
    }

    It 'overwrites only with -Force' {
        $out = Join-Path $root 'force'
        $first = New-FaceCrop -LiteralPath $good1 -BoundingBox 10, 10, 30, 30 -OutputDirectory $out
        $again = New-FaceCrop -LiteralPath $good1 -BoundingBox 10, 10, 40, 40 -OutputDirectory $out -ErrorVariable e -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropOutputExists,*'
        $forced = New-FaceCrop -LiteralPath $good1 -BoundingBox 10, 10, 40, 40 -OutputDirectory $out -Force
        $forced.Width | Should -Be 48
        ([SixLabors.ImageSharp.Image]::Identify($first.Path)).Width | Should -Be 48
    }
}

Describe 'New-FaceCrop progress and cancellation' {
    BeforeAll {
        $script:root = Join-Path $TestDrive 'long'
        $one = New-NoiseImage (Join-Path $root 'src/000.jpg') 1200 900 -Seed 9
        $script:sources = @($one) + @(1..59 | ForEach-Object {
                $copy = Join-Path $root ('src/{0:000}.jpg' -f $_)
                Copy-Item -LiteralPath $one -Destination $copy
                $copy
            })
        $script:manifest = Get-TestModuleManifest
    }

    It 'reports progress and completes it' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($m, $s, $o) Import-Module $m; $s | New-FaceCrop -BoundingBox 100, 100, 400, 400 -OutputDirectory $o').
                AddArgument($manifest).AddArgument($sources[0..9]).AddArgument((Join-Path $root 'progress'))
            $crops = $ps.Invoke()
            $crops.Count | Should -Be 10
            $records = @($ps.Streams.Progress | Where-Object Activity -EQ 'New-FaceCrop')
            $records.Count | Should -BeGreaterThan 1
            $records[-1].RecordType | Should -Be 'Completed'
            ($records | Where-Object PercentComplete -GT 0).Count | Should -BeGreaterThan 0
        }
        finally { $ps.Dispose() }
    }

    It 'leaves no half-written PNG when stopped' {
        $out = Join-Path $root 'stopped'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($m, $s, $o) Import-Module $m; $s | New-FaceCrop -BoundingBox 50, 50, 1000, 800 -MaxSide 0 -OutputDirectory $o').
                AddArgument($manifest).AddArgument($sources).AddArgument($out)
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-ChildItem -LiteralPath $out -Filter *.png -ErrorAction Ignore).Count -lt 3 -and -not $async.IsCompleted -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Stop()
            $written = @(Get-ChildItem -LiteralPath $out -Force -File)
            Write-Host "    crops written before the stop: $($written.Count) of $($sources.Count)"
            $written | Where-Object Name -NotLike '*.png' | Should -BeNullOrEmpty
            foreach ($file in $written) {
                $image = [SixLabors.ImageSharp.Image]::Load($file.FullName)
                $image.Width | Should -Be 1150 -Because 'the box plus 10% each side, clamped at 1200'
                $image.Dispose()
            }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'New-FaceCrop on PowerShell 7' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
    It 'decodes with ImageSharp''s .NET build from the module''s coreclr folder' {
        [SixLabors.ImageSharp.Image].Assembly.Location | Should -BeLike '*coreclr*'
    }
}
