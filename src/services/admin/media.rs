//! Uploaded product images: the type is sniffed from the bytes (never trusted from the
//! file name or the browser), the size is limited, and the file is stored under
//! `MEDIA_DIR/products/` with a fresh name, served at `/media/products/…`.

use crate::models::AppError;
use std::path::Path;

/// The largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// Raster formats browsers show everywhere. SVG is refused: it can carry script.
const ALLOWED: [(&str, &str); 4] =
    [("image/jpeg", "jpg"), ("image/png", "png"), ("image/webp", "webp"), ("image/gif", "gif")];

/// The file extension for an accepted image, or why it is refused.
pub fn sniff(bytes: &[u8]) -> Result<&'static str, AppError> {
    if bytes.is_empty() {
        return Err(AppError::field("image", "Choose an image file."));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::field("image", "The image is larger than 2 MB."));
    }
    let kind = infer::get(bytes).map(|k| k.mime_type());
    ALLOWED
        .iter()
        .find(|(mime, _)| Some(*mime) == kind)
        .map(|(_, ext)| *ext)
        .ok_or_else(|| AppError::field("image", "Upload a JPEG, PNG, WebP or GIF image."))
}

/// Stores the image for a product; returns its site-relative URL.
pub async fn store_product_image(
    media_dir: &Path,
    product_id: i64,
    bytes: &[u8],
) -> Result<String, AppError> {
    let ext = sniff(bytes)?;
    let dir = media_dir.join("products");
    let name = format!("{product_id}-{}.{ext}", uuid::Uuid::new_v4().simple());
    let io = |e: std::io::Error| {
        tracing::error!(error = %e, dir = %dir.display(), "cannot store an uploaded image");
        AppError::Internal
    };
    tokio::fs::create_dir_all(&dir).await.map_err(io)?;
    // Written aside and renamed, so a half-written file is never served.
    let partial = dir.join(format!(".{name}.part"));
    tokio::fs::write(&partial, bytes).await.map_err(io)?;
    tokio::fs::rename(&partial, dir.join(&name)).await.map_err(io)?;
    Ok(format!("/media/products/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

    #[test]
    fn images_are_sniffed_not_trusted() {
        assert_eq!(sniff(PNG).unwrap(), "png");
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0").unwrap(), "jpg");
        assert!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>").is_err());
        assert!(sniff(b"%PDF-1.7").is_err());
        assert!(sniff(b"").is_err());
        let mut huge = PNG.to_vec();
        huge.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(sniff(&huge).is_err());
    }
}
